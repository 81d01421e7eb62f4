using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// The simulated third parties (ThirdParties/OrderSystem.ThirdParties.Simulator), a real process: set a party's faults,
/// quiet them all, read what a party really did. Its settings are global to the process, so a test that changes them
/// sets them back (QuietAsync in SetUp and TearDown).
/// </summary>
internal static class Simulator
{
    public static readonly string[] Parties = ["sms", "logistics", "payments"];

    /// <summary>ORDERSYSTEM_SIMULATOR_URL, else ThirdParties:BaseUrl, else http://127.0.0.1:5089.</summary>
    public static Uri BaseUrl { get; } = new(
        Environment.GetEnvironmentVariable("ORDERSYSTEM_SIMULATOR_URL") is { Length: > 0 } url ? url
        : TestSettings.Configuration["ThirdParties:BaseUrl"] ?? "http://127.0.0.1:5089");

    private static readonly HttpClient Http = new() { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>PUT /control/{party} with these settings (any subset, camelCase or PascalCase names); the full settings after.</summary>
    public static async Task<JsonObject> SetAsync(string party, object settings)
    {
        using var response = await Http.PutAsJsonAsync($"/control/{party}", settings);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT {BaseUrl}control/{party} answered {(int)response.StatusCode}: {body}");
        }
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>
    /// Every party answers at once and always does the work: no delay, spike, failure, refusal, outage or hang; logistics
    /// picks no parcel up for 10 minutes. The
    /// payment provider also answers every refund call, ends each refund SUCCESS at once (its next tick, about 20 ms), and
    /// delivers each webhook once, with its usual 5 retries.
    /// </summary>
    public static Task QuietAsync() =>
        Task.WhenAll(SetAsync("sms", Quiet()), SetAsync("logistics", QuietLogistics()), SetAsync("payments", QuietRefunds()));

    /// <summary>No parcel is picked up within a test (10 minutes, the most the simulator takes): every waybill can be cancelled.</summary>
    private static JsonObject QuietLogistics()
    {
        var quiet = Quiet();
        quiet["pickupDelayMs"] = 600_000;
        return quiet;
    }

    private static JsonObject Quiet() => new()
    {
        ["delayMs"] = 0, ["spikeProbability"] = 0, ["spikeMs"] = 0, ["failureProbability"] = 0, ["down"] = false, ["hang"] = false,
        ["rejectProbability"] = 0, ["rejectNext"] = 0,
    };

    private static JsonObject QuietRefunds()
    {
        var quiet = Quiet();
        quiet["lostAnswerProbability"] = 0;
        quiet["refundProcessingMs"] = 0;
        quiet["refundClosedProbability"] = 0;
        quiet["refundAbnormalProbability"] = 0;
        quiet["webhookRetries"] = 5;
        quiet["webhookDuplicateProbability"] = 0;
        quiet["webhookDropProbability"] = 0;
        return quiet;
    }

    /// <summary>What the party really did for this order (GET /ledger/{party}?orderId=), oldest first.</summary>
    public static async Task<IReadOnlyList<JsonElement>> LedgerAsync(string party, Guid orderId) =>
        await Http.GetFromJsonAsync<JsonElement[]>($"/ledger/{party}?orderId={orderId}") ?? [];

    /// <summary>
    /// Every refund the payment provider took for this payment (GET /ledger/refunds?paymentId=), oldest first, each as it
    /// is now: {"refundId","paymentId","orderId","amount","status","createdAt","completedAt"}. Money moved for SUCCESS only.
    /// </summary>
    public static async Task<IReadOnlyList<JsonElement>> RefundLedgerAsync(string paymentId) =>
        await Http.GetFromJsonAsync<JsonElement[]>($"/ledger/refunds?paymentId={Uri.EscapeDataString(paymentId)}") ?? [];

    /// <summary>Starts it with scripts/simulator.sh (on BaseUrl's port) unless /health answers already.</summary>
    public static async Task EnsureRunningAsync()
    {
        if (await AnswersAsync())
        {
            return;
        }
        await Servers.RunAsync(["start"], "simulator.sh",
            ("ORDERSYSTEM_SIMULATOR_PORT", BaseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task<bool> AnswersAsync()
    {
        try
        {
            using var response = await Http.GetAsync("/health");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
