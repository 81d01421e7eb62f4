using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.ThirdParties;

/// <summary>
/// Base for tests of the simulated third parties (the payment provider's too) as the host will meet them: a real
/// process, faults set over HTTP, a ledger. Every party is quiet before and after each test; calls go through these
/// helpers.
/// </summary>
public abstract class SimulatorTest
{
    protected static readonly HttpClient Http = new() { BaseAddress = Simulator.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeSetUp]
    public Task StartAsync() => Simulator.EnsureRunningAsync();

    [SetUp]
    public Task QuietBeforeAsync() => Simulator.QuietAsync();

    [TearDown]
    public Task QuietAfterAsync() => Simulator.QuietAsync();

    protected static async Task<JsonNode> GetSettingsAsync(string party) =>
        JsonNode.Parse(await Http.GetStringAsync($"/control/{party}"))!;

    protected static Task<HttpResponseMessage> SendSmsAsync(string key, Guid orderId, string text = "Your order is paid.",
        HttpClient? client = null) =>
        PostAsync(client ?? Http, "/sms/messages", key, new { orderId, userId = "u-1", text });

    protected static Task<HttpResponseMessage> CreateWaybillAsync(HttpClient client, string key, Guid orderId) =>
        PostAsync(client, "/logistics/waybills", key, new { orderId });

    protected static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }
}
