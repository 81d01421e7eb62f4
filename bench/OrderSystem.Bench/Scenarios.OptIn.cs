using OrderSystem.Bench.Feed;
using OrderSystem.Bench.Hosting;
using OrderSystem.Bench.Limits;
using OrderSystem.Bench.Load;
using OrderSystem.Bench.Report;

namespace OrderSystem.Bench;

/// <summary>The scenarios of the later issues, not in the default set: each runs only when --scenarios names it.</summary>
internal sealed partial class Scenarios
{
    /// <summary>
    /// The order feed's cost and lag (not in the default set): payments at 64 buyers with the feed off and on (Bench:FeedRounds
    /// pairs), then its
    /// commit-to-stream lag at Bench:FeedChangesRate order changes per second, read from the stream as a consumer does.
    /// </summary>
    private async Task FeedAsync(CancellationToken ct)
    {
        Task Settled(CancellationToken token) => FeedLagWatch.WaitCaughtUpAsync(options.ConnectionString, TimeSpan.FromMinutes(3), token);
        // Closed-loop runs of 15 s vary by ±15 % from one to the next, and the database grows between them: alternate
        // which runs first, pair each off with its neighbouring on, and judge by the median pair.
        var pairs = new List<FeedCostPair>();
        for (var round = 1; round <= options.FeedRounds; round++)
        {
            Task<RunRecord?> Off() => ProductRunAsync($"feed-off-{round}", Costs.Zero, null, lagWait: null, ct, settings: [("Feed__Enabled", "false")]);
            Task<RunRecord?> On() => ProductRunAsync($"feed-on-{round}", Costs.Zero, null, lagWait: null, ct, beforeMeasuring: Settled);
            RunRecord? off, on;
            if (round % 2 == 1)
            {
                off = await Off();
                on = await On();
            }
            else
            {
                on = await On();
                off = await Off();
            }
            if (off is not null && on is not null)
            {
                pairs.Add(new FeedCostPair(off, on));
                Log($"feed round {round}: on / off {on.Load.PerSecond:N0} / {off.Load.PerSecond:N0} = {on.Load.PerSecond / off.Load.PerSecond:0.00}");
            }
        }
        FeedLagWatch? watch = null;
        FeedLag? lag = null;
        var measuredFrom = DateTime.MinValue;
        var paymentsPerSecond = options.FeedChangesRate / FeedLagWatch.ChangesPerPayment;
        await ProductRunAsync("feed-lag", Costs.Zero, paymentsPerSecond, lagWait: null, ct,
            beforeMeasuring: async token =>
            {
                await Settled(token);
                watch = await FeedLagWatch.StartAsync(options, token);
                measuredFrom = DateTime.UtcNow;
            },
            // While the host still runs: the last payments' changes are still on their way to the stream.
            afterMeasuring: async (run, token) => lag = await watch!.MeasureAsync(measuredFrom, run, options.FeedChangesRate, token));
        if (watch is not null)
        {
            await watch.DisposeAsync();
        }
        if (lag is not null)
        {
            Log($"feed-lag: p50 / p99 / max {lag.Latency.P50:N0} / {lag.Latency.P99:N0} / {lag.Latency.Max:N0} ms at {lag.ChangesPerSecond:N0} changes/s");
        }
        if (pairs.Count == 0 || lag is null)
        {
            return;
        }
        report.Feed = new FeedRecord(pairs, lag);
        Log($"feed: ratio {report.Feed.Ratio:0.00}, lag p99 {report.Feed.Lag.Latency.P99:N0} ms at {report.Feed.Lag.ChangesPerSecond:N0} changes/s");
    }

    /// <summary>
    /// Sustained capacity (issue 18, not in the default set): the bare transaction alone first, then one product host taking
    /// open-loop payments at rising fractions of it.
    /// </summary>
    private async Task CapacityAsync(CancellationToken ct)
    {
        if (!options.ManagesHost)
        {
            report.Notes.Add("The capacity scenario needs a host of its own (no --url): it was skipped.");
            return;
        }
        await using (var seeding = await StartProductHostAsync("capacity-seed", Costs.Zero, ct))
        {
            using var seedShop = Shop(seeding!.Url);
            await Catalog.SeedAsync(seedShop, _skus, ct);
        }
        Log("capacity: bare payment transaction through MySqlConnector, alone");
        var bare = await MeasureLimitAsync(MarkdownReport.BareTransactionRun, "limits: MySqlConnector, no HTTP, no outbox",
            token => BareTransaction.RunAsync(options.ConnectionString, _skus, options.Orders, options.Concurrency, TimeSpan.FromSeconds(options.DurationSeconds), token), ct);
        report.Runs.Add(bare);

        await using var host = await StartProductHostAsync("capacity", Costs.Zero, ct);
        using var shop = Shop(host!.Url);
        await Catalog.SeedAsync(shop, _skus, ct);
        report.Capacity = await new Capacity.CapacityScenario(options, shop, host, _skus, Log).RunAsync(bare.Load.PerSecond, bare.LimitCpuMsPerOperation, ct);
        Log($"capacity: sustained {report.Capacity.SustainedRatio:0.00} × bare");
    }

    /// <summary>A flash sale's wave beside ordinary payments (not in the default set).</summary>
    private async Task FlashSaleAsync(CancellationToken ct)
    {
        await using var host = await StartProductHostAsync("flash-sale", Costs.Zero, ct);
        var url = host?.Url ?? options.Url!;
        using var shop = Shop(url);
        await Catalog.SeedAsync(shop, _skus, ct);
        report.FlashSale = await new FlashSale.FlashSaleScenario(options, shop, url, host is null ? new RemoteProcess() : host, _skus, Log).RunAsync(ct);
    }

    /// <summary>Logistics hanging for a while under steady payments (not in the default set: it changes the shared simulator).</summary>
    private async Task IsolationAsync(CancellationToken ct)
    {
        await using var host = await StartProductHostAsync("isolation", options.Costs, ct);
        using var shop = Shop(host?.Url ?? options.Url!);
        await Catalog.SeedAsync(shop, _skus, ct);
        report.Isolation = await new Isolation.IsolationScenario(options, shop, _skus, Log).RunAsync(ct);
    }

    /// <summary>Unpaid orders closing on time (not in the default set: it seeds a million orders).</summary>
    private async Task ExpiryAsync(CancellationToken ct)
    {
        await using var host = await StartProductHostAsync("expiry", Costs.Zero, ct);
        using var shop = Shop(host?.Url ?? options.Url!);
        await Catalog.SeedAsync(shop, _skus, ct);
        report.Expiry = await new Expiry.ExpiryScenario(options, shop, _skus, Log).RunAsync(ct);
    }
}
