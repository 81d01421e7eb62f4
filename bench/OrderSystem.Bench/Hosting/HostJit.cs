using System.Diagnostics;

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
        var started = Stopwatch.GetTimestamp();
        if (await ReadSecondsAsync(baseUrl, ct) is not { } last)
        {
            return null;
        }
        var quietSeconds = 0;
        while (quietSeconds < 3 && Stopwatch.GetElapsedTime(started) < timeout)
        {
            var at = Stopwatch.GetTimestamp();
            await Task.Delay(1000, ct); // a sampling period; the loop polls for the condition
            var now = await ReadSecondsAsync(baseUrl, ct) ?? last;
            var rate = (now - last) * 1000 / Stopwatch.GetElapsedTime(at).TotalSeconds;
            quietSeconds = rate < msPerSecond ? quietSeconds + 1 : 0;
            last = now;
        }
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<double?> ReadSecondsAsync(string baseUrl, CancellationToken ct) =>
        (await HostMetrics.ScrapeAsync(baseUrl, ct)).Samples(Series).Select(s => (double?)s.Value).FirstOrDefault();
}
