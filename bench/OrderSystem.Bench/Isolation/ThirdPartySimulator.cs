using System.Text.Json;

namespace OrderSystem.Bench.Isolation;

/// <summary>
/// The third-party simulator seen from outside: logistics' hang switched at run time, a party's current settings, and
/// logistics' ledger of the waybills it really created.
/// </summary>
internal sealed class ThirdPartySimulator(Uri simulator) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = simulator, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Hangs every logistics call (or stops hanging); the simulator applies it before it answers.</summary>
    public async Task SetLogisticsHangAsync(bool hang, CancellationToken ct)
    {
        using var response = await _http.PutAsJsonAsync("control/logistics", new { hang }, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A party's fault settings as the simulator reports them (it is shared: others may change them).</summary>
    public Task<string> SettingsAsync(string party, CancellationToken ct) => _http.GetStringAsync($"control/{party}", ct);

    /// <summary>Whether a party's settings (as <see cref="SettingsAsync"/> read them) are still those the costs set, not hanging.</summary>
    public static bool AreAsSet(string settings, Costs costs, string party)
    {
        using var json = JsonDocument.Parse(settings);
        var s = json.RootElement;
        var (delay, spike) = party == "sms" ? (costs.SmsMs, costs.SmsSpikeMs) : (costs.LogisticsMs, costs.LogisticsSpikeMs);
        return s.GetProperty("delayMs").GetInt32() == delay && s.GetProperty("spikeMs").GetInt32() == spike
            && Math.Abs(s.GetProperty("spikeProbability").GetDouble() - costs.SpikeProbability) < 1e-9
            && Math.Abs(s.GetProperty("failureProbability").GetDouble() - costs.FailureProbability) < 1e-9
            && s.GetProperty("rejectProbability").GetDouble() == 0 && !s.GetProperty("hang").GetBoolean() && !s.GetProperty("down").GetBoolean();
    }

    /// <summary>The waybills logistics really created for an order.</summary>
    public async Task<int> WaybillsAsync(Guid orderId, CancellationToken ct)
    {
        await using var body = await _http.GetStreamAsync($"ledger/logistics?orderId={orderId}", ct);
        using var entries = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return entries.RootElement.GetArrayLength();
    }

    public void Dispose() => _http.Dispose();
}
