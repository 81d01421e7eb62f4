using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrderSystem.Bench.Load;

/// <summary>The public HTTP API as a buyer, an admin and the payment provider use it.</summary>
internal sealed class ShopClient(HttpClient http, string adminKey, string callbackSecret) : IDisposable
{
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(callbackSecret);

    public static ShopClient Create(string baseUrl, int connections, string adminKey, string callbackSecret) =>
        new(new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        {
            BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(60),
        }, adminKey, callbackSecret);

    public async Task<bool> PutProductAsync(string sku, decimal price, int available, CancellationToken ct)
    {
        using var request = Json(HttpMethod.Put, $"api/admin/inventory/{sku}", new { name = "Bench " + sku, price, available });
        request.Headers.Add("X-Api-Key", adminKey);
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode == HttpStatusCode.OK;
    }

    public async Task<PlacedOrder?> PlaceOrderAsync(string userId, string sku, int quantity, CancellationToken ct)
    {
        using var request = Json(HttpMethod.Post, "api/orders", new { userId, items = new[] { new { sku, quantity } } });
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return null;
        }
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
        return new PlacedOrder(json.RootElement.GetProperty("orderId").GetGuid(), json.RootElement.GetProperty("totalAmount").GetDecimal());
    }

    /// <summary>The signed payment callback; true when the order is now paid.</summary>
    public async Task<bool> PayAsync(PlacedOrder order, CancellationToken ct) => await PayForStatusAsync(order, ct) == HttpStatusCode.OK;

    /// <summary>The signed payment callback's answer: 200 paid, 409 for an order that can no longer be paid, ...</summary>
    public async Task<HttpStatusCode> PayForStatusAsync(PlacedOrder order, CancellationToken ct)
    {
        var body = $$"""{"paymentId":"pay-{{order.OrderId:N}}","amount":{{order.Total.ToString(CultureInfo.InvariantCulture)}}}""";
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/orders/{order.OrderId}/payment")
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, bytes)));
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode;
    }

    public async Task<bool> IsLiveAsync(CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync("health/live", ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public void Dispose() => http.Dispose();

    private static HttpRequestMessage Json(HttpMethod method, string path, object body) => new(method, path)
    {
        Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
    };
}

internal sealed record PlacedOrder(Guid OrderId, decimal Total);
