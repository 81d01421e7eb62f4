using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>The public HTTP API as a client sees it: JSON in, status and JSON out.</summary>
public sealed class Api(HttpClient http)
{
    public HttpClient Http => http;

    public Task<Reply> PutProductAsync(string sku, decimal price, int available, string? adminKey = null) =>
        SendAsync(HttpMethod.Put, $"/api/admin/inventory/{sku}", new { name = "Product " + sku, price, available },
            ("X-Api-Key", adminKey ?? TestSettings.AdminKey));

    public Task<Reply> PlaceOrderAsync(string userId, params (string Sku, int Quantity)[] items) =>
        SendAsync(HttpMethod.Post, "/api/orders", new { userId, items = items.Select(i => new { sku = i.Sku, quantity = i.Quantity }) });

    public Task<Reply> PayAsync(string orderId, string paymentId, decimal amount) =>
        PayRawAsync(orderId, JsonSerializer.Serialize(new { paymentId, amount }));

    public Task<Reply> PayRawAsync(string orderId, string body, string? signature = null) =>
        SendRawAsync(HttpMethod.Post, $"/api/orders/{orderId}/payment", body, ("X-Signature", signature ?? Sign(body)));

    public Task<Reply> GetAsync(string path) => SendRawAsync(HttpMethod.Get, path, null);

    public Task<Reply> SendAsync(HttpMethod method, string path, object body, params (string Name, string Value)[] headers) =>
        SendRawAsync(method, path, JsonSerializer.Serialize(body), headers);

    public async Task<Reply> SendRawAsync(HttpMethod method, string path, string? body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.Location, text);
    }

    public static string Sign(string body, string? secret = null) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(secret ?? TestSettings.CallbackSecret), Encoding.UTF8.GetBytes(body)));
}

public sealed record Reply(HttpStatusCode Status, string? MediaType, Uri? Location, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public override string ToString() => $"{(int)Status} {MediaType} {Body}";
}
