using System.Diagnostics;
using System.Globalization;
using OrderSystem.Bench.Feed;
using OrderSystem.Bench.Hosting;
using OrderSystem.Bench.Isolation;
using OrderSystem.Bench.Load;
using OrderSystem.Bench.Outbox;

namespace OrderSystem.Bench.Capacity;

/// <summary>
/// The "capacity" scenario (issue 18): open-loop payments at fixed rates stepping up through fractions of the bare
/// transaction measured in the same sitting, costs zero, each rate after the previous backlog has drained. Sustained
/// capacity is the highest rate whose fulfillment lag p99 stays within 100 ms in every 5-second window. With
/// <c>--capacity-rates</c> the steps are absolute payments per second instead, so that a before/after pair offers the
/// same load; each is still reported as its ratio to the bare transaction of that run.
/// </summary>
internal sealed class CapacityScenario(BenchOptions options, ShopClient shop, IMeasuredProcess host, IReadOnlyList<string> skus, Action<string> log)
{
    private static readonly TimeSpan DrainCap = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan FeedCap = TimeSpan.FromMinutes(3);

    public async Task<CapacityRecord> RunAsync(double barePerSecond, double bareCpuMsPerTransaction, CancellationToken ct)
    {
        var notes = new List<string>();
        var duration = TimeSpan.FromSeconds(options.CapacitySeconds);
        // A warm-up below the first rate, so that no measured step pays for the JIT (finding 2 of docs/performance.md).
        var rates = options.CapacityRates.Count > 0
            ? [.. options.CapacityRates.Select(r => (Fraction: r / barePerSecond, Rate: r))]
            : options.CapacitySteps.Select(f => (Fraction: f, Rate: f * barePerSecond)).ToList();
        var warmupRate = rates[0].Rate;
        var warmup = await Catalog.PlaceOrdersAsync(shop, skus, (int)Math.Ceiling(warmupRate * options.WarmupSeconds), options.Concurrency, "capacity: place warm-up", ct);
        await SteadyPayments.RunAsync("capacity: warm-up", shop, warmup, warmupRate, TimeSpan.FromSeconds(options.WarmupSeconds), ct);

        var steps = new List<CapacityStep>();
        var unsteadyInARow = 0;
        foreach (var (fraction, rate) in rates)
        {
            var step = await StepAsync(fraction, rate, duration, ct);
            steps.Add(step);
            log(F($"capacity {fraction:0.00#} × bare = {step.OfferedPerSecond:N0}/s: achieved {step.AchievedPerSecond:N0}/s, lag p99 {step.Lag.P99:N0} ms (worst window {WorstWindowP99(step):N0} ms), {(step.IsSteady ? "steady" : "NOT steady")}"));
            unsteadyInARow = step.IsSteady ? 0 : unsteadyInARow + 1;
            if (double.IsNaN(step.DrainSeconds))
            {
                notes.Add(F($"Stopped after {rate:N0}/s ({fraction:0.00#} × bare): its backlog did not drain within {DrainCap.TotalSeconds:0} s."));
                break;
            }
            if (unsteadyInARow == options.CapacityStopAfterUnsteady)
            {
                notes.Add(F($"Stopped after {rate:N0}/s ({fraction:0.00#} × bare): {unsteadyInARow} rates in a row were not steady."));
                break;
            }
        }
        return new CapacityRecord(barePerSecond, bareCpuMsPerTransaction, steps, notes);
    }

    private async Task<CapacityStep> StepAsync(double fraction, double rate, TimeSpan duration, CancellationToken ct)
    {
        var orders = await Catalog.PlaceOrdersAsync(shop, skus, (int)Math.Ceiling(rate * duration.TotalSeconds), options.Concurrency,
            F($"capacity {fraction:0.00#}: place"), ct);
        // Nothing left over from before: the previous rate's backlog, the placements' feed events.
        await FulfillmentLag.DrainAsync(options.ConnectionString, DrainCap, ct);
        await FeedLagWatch.WaitCaughtUpAsync(options.ConnectionString, FeedCap, ct);

        var brokerBefore = await BrokerCounters.ReadSettledAsync(options, ct);
        var cpu = new ProcessCpu(options, host);
        var cpuBefore = cpu.Read();
        var dbBefore = await DbCounters.ReadAsync(options.ConnectionString, ct);
        var from = DateTime.UtcNow;
        var samples = await SteadyPayments.RunAsync(F($"capacity {fraction:0.00#}: pay {rate:N0}/s"), shop, orders, rate, duration, ct);
        var to = DateTime.UtcNow;
        var drain = Stopwatch.StartNew();
        await FulfillmentLag.DrainAsync(options.ConnectionString, DrainCap, ct);
        var drainSeconds = drain.Elapsed < DrainCap ? drain.Elapsed.TotalSeconds : double.NaN;
        // Until the feed has sequenced this rate's changes too: its work is part of what a payment costs.
        await FeedLagWatch.WaitCaughtUpAsync(options.ConnectionString, FeedCap, ct);
        var cpuUsed = ProcessCpu.Between(cpuBefore, cpu.Read());
        var db = (await DbCounters.ReadAsync(options.ConnectionString, ct)).Minus(dbBefore);
        var windows = await LagWindows.ReadAsync(options.ConnectionString, from, to, ct);
        var broker = (await BrokerCounters.ReadSettledAsync(options, ct)).Minus(brokerBefore);

        var paid = samples.Where(s => s.Paid).ToList();
        var span = paid.Count == 0 ? 0 : (paid.Max(s => s.StartedAt.AddMilliseconds(s.Ms)) - paid.Min(s => s.StartedAt)).TotalSeconds;
        return new CapacityStep(fraction, rate, span > 0 ? paid.Count / span : 0, paid.Count, samples.Count - paid.Count,
            LatencyStats.Of(paid.Select(s => s.Ms)), LatencyStats.Of(windows.SelectMany(w => w.Lag.Sorted)), windows,
            cpuUsed, db, broker, drainSeconds);
    }

    public static double WorstWindowP99(CapacityStep step) =>
        step.Windows.Count == 0 ? double.NaN : step.Windows.Max(w => w.Unfulfilled > 0 ? double.PositiveInfinity : w.Lag.P99);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
