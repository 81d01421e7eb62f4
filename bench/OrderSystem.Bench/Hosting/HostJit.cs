using System.Diagnostics;
using System.Globalization;

namespace OrderSystem.Bench.Hosting;

/// <summary>
/// The host's JIT time, from its /metrics (the runtime's System.Runtime meter). A freshly started host spends up to a
/// core on the JIT for its first tens of seconds under load (performance.md, finding 27): a phase measured before that
/// settles measures the JIT, not the design.
/// </summary>
internal static class HostJit
{
    private const string Series = "dotnet_jit_compilation_time_seconds_total";

    /// <summary>
    /// Until the JIT took under <paramref name="msPerSecond"/> in each of three seconds running, or the timeout. Returns how
    /// long it took, or null when the host does not export the series (a host of another build through --url).
    /// </summary>
    public static async Task<TimeSpan?> WaitUntilSettledAsync(string baseUrl, double msPerSecond, TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.GetTimestamp();
        if (await ReadSecondsAsync(http, ct) is not { } last)
        {
            return null;
        }
        var quietSeconds = 0;
        while (quietSeconds < 3 && Stopwatch.GetElapsedTime(started) < timeout)
        {
            var at = Stopwatch.GetTimestamp();
            await Task.Delay(1000, ct); // a sampling period; the loop polls for the condition
            var now = await ReadSecondsAsync(http, ct) ?? last;
            var rate = (now - last) * 1000 / Stopwatch.GetElapsedTime(at).TotalSeconds;
            quietSeconds = rate < msPerSecond ? quietSeconds + 1 : 0;
            last = now;
        }
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<double?> ReadSecondsAsync(HttpClient http, CancellationToken ct)
    {
        var text = await http.GetStringAsync("metrics", ct);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Series, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
