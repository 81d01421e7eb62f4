using System.Text.Json;

namespace OrderSystem.Bench.Isolation;

/// <summary>The simulated logistics party, seen from outside: its hang switched at run time, and its ledger of waybills.</summary>
internal sealed class LogisticsSimulator(Uri simulator) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = simulator, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Hangs every logistics call (or stops hanging); the simulator applies it before it answers.</summary>
    public async Task SetHangAsync(bool hang, CancellationToken ct)
    {
        using var response = await _http.PutAsJsonAsync("control/logistics", new { hang }, ct);
        response.EnsureSuccessStatusCode();
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
