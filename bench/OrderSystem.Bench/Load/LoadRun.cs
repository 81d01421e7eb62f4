using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrderSystem.Bench.Load;

/// <summary>
/// Drives one operation per work item with many concurrent simulated buyers: either as fast as they can (closed loop), or
/// at a steady arrival rate (open loop, for the lag measurement), until the items run out or the time is up.
/// </summary>
internal static class LoadRun
{
    public static async Task<LoadResult> RunAsync<T>(
        string label, IReadOnlyList<T> items, int concurrency, TimeSpan maxDuration, double? ratePerSecond,
        Func<T, CancellationToken, Task<bool>> operation, CancellationToken ct)
    {
        var latencies = new ConcurrentBag<double[]>();
        var next = -1;
        var errors = 0;
        var done = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(maxDuration);
        var clock = Stopwatch.StartNew();
        using var progress = new Progress(label, items.Count, () => Volatile.Read(ref done), () => Volatile.Read(ref errors), clock);

        async Task Buyer()
        {
            var mine = new List<double>();
            while (!deadline.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= items.Count)
                {
                    break;
                }
                if (ratePerSecond is { } rate)
                {
                    // Open loop: item i is due at i / rate, whatever happened to the ones before it.
                    var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        try { await Task.Delay(due, deadline.Token); } catch (OperationCanceledException) { break; }
                    }
                }
                var started = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    // The deadline only stops new payments: one in flight is waited for, so slow ones are never left out.
                    ok = await operation(items[i], ct);
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception)
                {
                    ok = false;
                }
                if (ok)
                {
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Increment(ref done);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
            latencies.Add([.. mine]);
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Buyer, CancellationToken.None)));
        var elapsed = clock.Elapsed;
        progress.Finish();
        return new LoadResult(LatencyStats.Of(latencies.SelectMany(l => l)), errors, elapsed);
    }
}

internal sealed record LoadResult(LatencyStats Latency, int Errors, TimeSpan Elapsed)
{
    public double PerSecond => Latency.Count / Elapsed.TotalSeconds;
}
