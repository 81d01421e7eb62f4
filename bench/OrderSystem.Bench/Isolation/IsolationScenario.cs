using System.Collections.Concurrent;
using System.Diagnostics;
using OrderSystem.Bench.Load;
using OrderSystem.Bench.Outbox;

namespace OrderSystem.Bench.Isolation;

/// <summary>
/// The "isolation" scenario: payments at a steady rate through three phases (before, with logistics hanging, after),
/// against a host with the article's costs. One hanging party must slow neither the buyer nor the other modules, and
/// its backlog must clear soon after it answers again, each shipment once. Lags and the drain come from the database.
/// </summary>
internal sealed class IsolationScenario(BenchOptions options, ShopClient shop, IReadOnlyList<string> skus, Action<string> log)
{
    public static readonly TimeSpan DrainCap = TimeSpan.FromSeconds(180);
    private const int LedgerSample = 200;
    private static readonly string[] PhaseNames = ["before", "logistics hanging", "after"];

    public async Task<IsolationRecord> RunAsync(CancellationToken ct)
    {
        var rate = options.IsolationRate;
        var phase = TimeSpan.FromSeconds(options.IsolationPhaseSeconds);
        // As long as the other runs' warm-up (finding 2): with 10 s, payment p99 still fell phase after phase (64, 42, 22 ms),
        // so the phase before the hang, the baseline of both ratios, was the slowest.
        var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
        var warmupCount = (int)Math.Ceiling(rate * warmup.TotalSeconds);
        var orders = await Catalog.PlaceOrdersAsync(shop, skus, warmupCount + (int)Math.Ceiling(rate * 3 * phase.TotalSeconds),
            options.Concurrency, "isolation: place", ct);

        using var simulator = new ThirdPartySimulator(options.Simulator);
        var notes = new List<string>();
        try
        {
            // Again, right before it matters: the simulator is shared, and seeding and placing took a while.
            await options.Costs.ApplyToSimulatorAsync(options.Simulator, ct);
            var warmupFrom = DateTime.UtcNow;
            await SteadyPayments.RunAsync("isolation: warm-up", shop, [.. orders.Take(warmupCount)], rate, warmup, ct);
            await FulfillmentLag.DrainAsync(options.ConnectionString, TimeSpan.FromSeconds(60), ct);
            if (await StepLags.UnfulfilledAsync(options.ConnectionString, ct) is > 0 and var left)
            {
                notes.Add(F($"{left:N0} warm-up orders still had a step not Done after 60 s (see the error queues below)."));
            }

            log($"isolation: {rate:0}/s for {phase.TotalSeconds:0} s before, {phase.TotalSeconds:0} s with logistics hanging, {phase.TotalSeconds:0} s after");
            var measuredFrom = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            var payments = SteadyPayments.RunAsync("isolation: pay", shop, [.. orders.Skip(warmupCount)], rate, 3 * phase, ct);
            await DelayUntilAsync(clock, phase, ct);
            await simulator.SetLogisticsHangAsync(true, ct);
            var hangStarted = DateTime.UtcNow;
            log("isolation: logistics hangs");
            await DelayUntilAsync(clock, 2 * phase, ct);
            await simulator.SetLogisticsHangAsync(false, ct);
            var hangEnded = DateTime.UtcNow;
            log("isolation: logistics answers again; waiting for every order paid so far to be shipped");
            var drain = ShipmentDrain.WaitAsync(options.ConnectionString, warmupFrom, hangEnded, DrainCap, ct);
            var samples = await payments;
            var (sms, logisticsNow) = (await simulator.SettingsAsync("sms", ct), await simulator.SettingsAsync("logistics", ct));
            var settings = F($"sms {sms}; logistics {logisticsNow}");
            if (!ThirdPartySimulator.AreAsSet(sms, options.Costs, "sms") || !ThirdPartySimulator.AreAsSet(logisticsNow, options.Costs, "logistics"))
            {
                notes.Add("**Someone else changed the shared simulator during the run** (its settings at the end are not the ones this run set): the figures are not those of the costs above.");
            }
            var drained = await drain;
            if (drained.Took is not null)
            {
                // The after phase's own steps too, so that its lags are complete (a step that failed is waited for in vain).
                await FulfillmentLag.DrainAsync(options.ConnectionString, TimeSpan.FromSeconds(30), ct);
            }
            var byPhase = Enumerable.Range(0, 3)
                .Select(i => samples.Where(s => i == (s.StartedAt < hangStarted ? 0 : s.StartedAt < hangEnded ? 1 : 2)).ToList())
                .ToList();
            var lags = await StepLags.ReadAsync(options.ConnectionString, measuredFrom.AddSeconds(-1), ct);
            return new IsolationRecord(options.Costs.Describe(), rate, phase.TotalSeconds, warmup.TotalSeconds,
                [.. byPhase.Select((s, i) => Phase(PhaseNames[i], s, lags))], drained, await CheckLedgerAsync(simulator, byPhase, ct),
                await ErrorQueuesAsync(notes, ct), settings, notes);
        }
        finally
        {
            // The simulator is shared: never leave logistics hanging, whatever happened; then this run's costs again.
            await simulator.SetLogisticsHangAsync(false, CancellationToken.None);
            await options.Costs.ApplyToSimulatorAsync(options.Simulator, CancellationToken.None);
        }
    }

    private static PhaseRecord Phase(string name, List<PaymentSample> samples, IReadOnlyDictionary<(Guid, string), double> lags)
    {
        var paid = samples.Where(s => s.Paid).ToList();
        LatencyStats Lag(string step) => LatencyStats.Of(paid
            .Where(p => lags.ContainsKey((p.OrderId, step))).Select(p => lags[(p.OrderId, step)]));
        return new PhaseRecord(name, paid.Count, samples.Count - paid.Count, LatencyStats.Of(paid.Select(p => p.Ms)),
            Lag(StepLags.Points), Lag(StepLags.Coupon), Lag(StepLags.Sms), Lag(StepLags.Shipment));
    }

    /// <summary>Every paid order's waybills in logistics' ledger, or a sample spread evenly over the three phases.</summary>
    private static async Task<LedgerCheck> CheckLedgerAsync(ThirdPartySimulator simulator, List<List<PaymentSample>> byPhase, CancellationToken ct)
    {
        var paid = byPhase.Select(p => p.Where(s => s.Paid).Select(s => s.OrderId).ToList()).ToList();
        var total = paid.Sum(p => p.Count);
        var random = new Random(13);
        var sample = total <= LedgerSample
            ? [.. paid.SelectMany(p => p)]
            : paid.SelectMany((ids, i) => ids.OrderBy(_ => random.Next()).Take(LedgerSample / 3 + (i < LedgerSample % 3 ? 1 : 0))).ToList();
        var counts = new ConcurrentBag<int>();
        await Parallel.ForEachAsync(sample, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (id, token) => counts.Add(await simulator.WaybillsAsync(id, token)));
        return new LedgerCheck(total, counts.Count, counts.Count(c => c == 1), counts.Count(c => c == 0), counts.Count(c => c > 1));
    }

    /// <summary>Every module's error queue; null (with a note) when the management API cannot be read.</summary>
    private async Task<IReadOnlyDictionary<string, long>?> ErrorQueuesAsync(List<string> notes, CancellationToken ct)
    {
        try
        {
            return await ErrorQueue.MessagesAsync(options, ct);
        }
        catch (HttpRequestException e)
        {
            notes.Add($"RabbitMQ's management API ({options.RabbitManagementUrl}) did not answer: {e.Message}");
            return null;
        }
    }

    private static string F(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task DelayUntilAsync(Stopwatch clock, TimeSpan at, CancellationToken ct)
    {
        var wait = at - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct); // a phase boundary
        }
    }
}
