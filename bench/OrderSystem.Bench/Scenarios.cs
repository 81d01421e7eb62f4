using Dapper;
using MySqlConnector;
using OrderSystem.Bench.Hosting;
using OrderSystem.Bench.Limits;
using OrderSystem.Bench.Load;
using OrderSystem.Bench.Outbox;
using OrderSystem.Bench.Report;
using OrderSystem.Bench.SyncChain;

namespace OrderSystem.Bench;

/// <summary>
/// The three scenarios of the issue, run side by side: synchronous chain, outbox (the product), and the limits; the
/// later issues' scenarios, run only when named, are in Scenarios.OptIn.cs.
/// </summary>
internal sealed partial class Scenarios(BenchOptions options, MarkdownReport report, string resultsDirectory)
{
    private readonly BenchEnvironment _environment = new(options);
    private readonly IReadOnlyList<string> _skus = Catalog.Skus(options.Skus);
    private readonly PaymentMeasurement _payments = new(options, Catalog.Skus(options.Skus));

    public async Task RunAsync(CancellationToken ct)
    {
        if (options.ManagesHost)
        {
            Log($"migrating {options.ConnectionString.Split(';').FirstOrDefault(p => p.StartsWith("Database", StringComparison.OrdinalIgnoreCase))}");
            _environment.Migrate();
        }
        if (options.Scenarios.Contains("sync"))
        {
            await SynchronousChainAsync(ct);
        }
        if (options.Scenarios.Contains("outbox"))
        {
            await OutboxAsync(ct);
        }
        if (options.Scenarios.Contains("limits"))
        {
            await LimitsAsync(ct);
        }
        if (options.Scenarios.Contains("expiry"))
        {
            await ExpiryAsync(ct);
        }
        if (options.Scenarios.Contains("isolation"))
        {
            await IsolationAsync(ct);
        }
        if (options.Scenarios.Contains("feed"))
        {
            await FeedAsync(ct);
        }
        if (options.Scenarios.Contains("flash-sale"))
        {
            await FlashSaleAsync(ct);
        }
        if (options.Scenarios.Contains("capacity"))
        {
            await CapacityAsync(ct);
        }
        if (options.Scenarios.Contains("peak-shaving"))
        {
            // Issue 17: the same burst with the fulfilling consumers at full concurrency, then yielding to the payments.
            var lagWait = TimeSpan.FromSeconds(180);
            await ProductRunAsync(PeakShavingReport.Off, Costs.Zero, null, lagWait, ct, settings: [("Fulfillment__YieldUnderPressure", "false")]);
            await ProductRunAsync(PeakShavingReport.On, Costs.Zero, null, lagWait, ct, settings: [("Fulfillment__YieldUnderPressure", "true")]);
        }
    }

    private async Task SynchronousChainAsync(CancellationToken ct)
    {
        foreach (var (name, costs) in new[] { ("sync-spikes-on", options.Costs), ("sync-spikes-off", options.Costs.WithoutSpikes) })
        {
            if (!options.Includes(name))
            {
                continue;
            }
            Log($"{name}: synchronous chain in this process ({costs.Describe()})");
            await _environment.ResetAsync(ct);
            await costs.ApplyToSimulatorAsync(options.Simulator, ct);
            await using var app = await SyncChainHost.StartAsync(options, costs);
            var url = app.Urls.Single();
            using var shop = Shop(url);
            await Catalog.SeedAsync(shop, _skus, ct);
            report.Runs.Add(await _payments.RunAsync(name, "synchronous chain (bench host)", costs, shop, new CurrentProcess(),
                Math.Min(options.SyncOrders, options.Orders), null, WarmupDrain.None, lagWait: null, ct));
            await app.StopAsync(ct);
        }
    }

    private async Task OutboxAsync(CancellationToken ct)
    {
        // Latency side by side: the same payments per second as the synchronous chain managed, so both are compared at
        // the same load; a closed loop at c=64 would measure the outbox's queueing at saturation instead.
        var rate = options.LatencyRate > 0 ? options.LatencyRate
            : report.Run("sync-spikes-on") is { } sync ? Math.Max(1, Math.Round(sync.Load.PerSecond)) : 100;
        var lagWait = TimeSpan.FromSeconds(90);
        await ProductRunAsync("outbox-spikes-on", options.Costs, rate, lagWait, ct);
        await ProductRunAsync("outbox-spikes-off", options.Costs.WithoutSpikes, rate, lagWait, ct);

        // Throughput: as many payments as 64 buyers can push, with the article's costs and then with none.
        await ProductRunAsync("outbox-c64-spikes-on", options.Costs, null, lagWait: null, ct);
        var max = await ProductRunAsync("outbox-costs-zero", Costs.Zero, null, lagWait: TimeSpan.FromSeconds(60), ct);

        // The lag target is set at half the maximum payment rate, with nothing slowing the consumers down.
        var half = options.LagRate > 0 ? options.LagRate : max is null ? 100 : Math.Max(1, Math.Round(max.Load.PerSecond / 2));
        await ProductRunAsync("lag-costs-zero", Costs.Zero, half, TimeSpan.FromSeconds(60), ct);

        // The buyer's path alone: the same buyers against a host running only Order and Inventory (its relay publishes
        // OrderPaid to an exchange with no queue bound), so nothing after the payment competes for the machine.
        if (options.ManagesHost)
        {
            await ProductRunAsync(MarkdownReport.PaymentPathRun, Costs.Zero, null, lagWait: null, ct, consumers: false);
        }
        if (options.Includes("relay-drain"))
        {
            await RelayDrainAsync(ct);
        }
    }

    private async Task<RunRecord?> ProductRunAsync(
        string name, Costs costs, double? rate, TimeSpan? lagWait, CancellationToken ct, bool consumers = true,
        (string Key, string Value)[]? settings = null, Func<CancellationToken, Task>? beforeMeasuring = null,
        Func<RunRecord, CancellationToken, Task>? afterMeasuring = null)
    {
        if (!options.Includes(name))
        {
            return null;
        }
        Log($"{name}: product host ({costs.Describe()}{(consumers ? "" : "; Order and Inventory only")})");
        await using var host = consumers
            ? await StartProductHostAsync(name, costs, ct, settings ?? [])
            : await StartProductHostAsync(name, costs, ct, [("Modules__Enabled", "Order,Inventory,Refunds"), .. settings ?? []]);
        using var shop = Shop(host?.Url ?? options.Url!);
        await Catalog.SeedAsync(shop, _skus, ct);
        // An open-loop run places only the orders its rate can reach in the time allowed.
        var orders = rate is { } r ? (int)Math.Min(options.Orders, Math.Ceiling(r * options.DurationSeconds)) : options.Orders;
        var run = await _payments.RunAsync(name, consumers ? "outbox (product)" : "payment path alone (product host, no consumers)",
            options.ManagesHost ? costs : null, shop, host is null ? new RemoteProcess() : host, orders, rate,
            consumers ? WarmupDrain.Fulfillment : WarmupDrain.Relay, lagWait, ct, beforeMeasuring);
        report.Runs.Add(run);
        if (afterMeasuring is not null)
        {
            await afterMeasuring(run, ct);
        }
        return run;
    }

    /// <summary>
    /// The relay alone: a host running only Order (and Inventory), so nothing else competes for the machine, publishing into
    /// the same four drained queues as the raw broker test.
    /// </summary>
    private async Task RelayDrainAsync(CancellationToken ct)
    {
        Log($"relay drain: {options.RelayMessages:N0} OrderPaid rows committed at once into order_outbox");
        await using var host = await StartProductHostAsync("relay-drain", Costs.Zero, ct, ("Modules__Enabled", "Order,Inventory,Refunds"));
        using var shop = Shop(host?.Url ?? options.Url!);
        await Catalog.SeedAsync(shop, _skus, ct);
        await using var queues = await DrainingQueues.DeclareAsync(options, ct);
        var wakes = await Catalog.PlaceOrdersAsync(shop, _skus, 2, 1, "relay: wake-up orders", ct);

        // The same drain once unmeasured first, so the relay's code runs compiled at its final tier, as in every other
        // run (a fresh host spends its first seconds in the JIT); the raw publisher warms up the same way.
        var messagesPerDrain = (options.RelayMessages + 1L) * queues.Count;
        await RelayDrain.FillAsync(options.ConnectionString, options.RelayMessages, ct);
        if (!await WakeAndDrainAsync(shop, wakes[0], ct) || !await queues.WaitForAsync(messagesPerDrain, TimeSpan.FromSeconds(60), ct))
        {
            return;
        }
        await RelayDrain.FillAsync(options.ConnectionString, options.RelayMessages, ct);
        var cpu = new CpuMeter(options, host is null ? new RemoteProcess() : host);
        if (!await WakeAndDrainAsync(shop, wakes[1], ct))
        {
            return;
        }
        var usage = cpu.Stop();
        var last = await RelayDrain.LastDispatchedAsync(options.ConnectionString, ct);
        var seconds = (last - await PaidAtAsync(wakes[1].OrderId, ct)).TotalSeconds;
        await queues.WaitForAsync(2 * messagesPerDrain, TimeSpan.FromSeconds(60), ct);
        report.Relay = new RelayRecord(options.RelayMessages + 1, seconds, usage, queues.MeanBodyBytes);
        Log($"relay drain: {report.Relay.PerSecond:N0} msg/s");
    }

    /// <summary>Wakes the relay with a payment and waits until it has published the backlog.</summary>
    private async Task<bool> WakeAndDrainAsync(ShopClient shop, PlacedOrder wake, CancellationToken ct)
    {
        await shop.PayAsync(wake, ct); // its commit wakes the relay at once
        if (await RelayDrain.WaitDrainedAsync(options.ConnectionString, TimeSpan.FromMinutes(3), ct))
        {
            return true;
        }
        report.Notes.Add("The relay drain did not finish within 3 minutes; no relay rate reported.");
        return false;
    }

    private async Task LimitsAsync(CancellationToken ct)
    {
        var bare = options.Includes(MarkdownReport.BareTransactionRun);
        var product = options.Includes(MarkdownReport.ProductTransactionRun);
        var httpFloor = options.Includes(MarkdownReport.HttpFloorRun);
        var duration = TimeSpan.FromSeconds(options.DurationSeconds);
        IReadOnlyList<PlacedOrder> orders = [];
        if (bare || product || httpFloor)
        {
            // Seed the catalog (and place the product transaction's orders) through the API as everywhere else, then stop
            // our host so that nothing else runs while the ceilings are measured.
            await using var host = await StartProductHostAsync("limits-seed", Costs.Zero, ct);
            using var shop = Shop(host?.Url ?? options.Url!);
            if (options.ManagesHost)
            {
                await Catalog.SeedAsync(shop, _skus, ct);
            }
            if (product)
            {
                orders = await Catalog.PlaceOrdersAsync(shop, _skus, options.Orders, options.Concurrency, "limits: place", ct);
            }
            if (httpFloor)
            {
                // What any HTTP call costs here, client and server on the same cores: the cheapest route the host has.
                Log("limits: HTTP round trips alone (GET /health/live, no database)");
                var calls = Enumerable.Range(0, 2_000_000).ToList();
                report.Runs.Add(await MeasureLimitAsync(MarkdownReport.HttpFloorRun, "limits: HTTP alone, GET /health/live on the product host",
                    token => LoadRun.RunAsync("http floor", calls, options.Concurrency, duration, null, (_, t) => shop.IsLiveAsync(t), token),
                    ct, host is null ? new RemoteProcess() : host));
            }
        }
        if (bare)
        {
            Log("limits: bare payment transaction through MySqlConnector");
            report.Runs.Add(await MeasureLimitAsync(MarkdownReport.BareTransactionRun, "limits: MySqlConnector, no HTTP, no outbox",
                token => BareTransaction.RunAsync(options.ConnectionString, _skus, options.Orders, options.Concurrency, duration, token), ct));
        }
        if (product)
        {
            Log("limits: the product's read and payment transaction, called without HTTP");
            report.Runs.Add(await MeasureLimitAsync(MarkdownReport.ProductTransactionRun, "limits: product read + payment transaction, no HTTP",
                token => ProductTransaction.RunAsync(options, orders, duration, token), ct));
        }

        if (options.Includes(MarkdownReport.BareStepsRun))
        {
            Log("limits: the four steps' inbox records and effect rows, several payments a transaction, through MySqlConnector");
            report.Runs.Add(await MeasureLimitAsync(MarkdownReport.BareStepsRun, $"limits: MySqlConnector, {BareSteps.PaymentsPerTransaction} payments' four steps (inbox + effect row each) per transaction",
                token => BareSteps.RunAsync(options.ConnectionString, options.Orders, options.Concurrency, duration, token), ct));
        }
        if (options.Includes("raw-broker"))
        {
            Log($"limits: raw RabbitMQ publishing with confirms, {options.BrokerMessages:N0} messages");
            if (options.ManagesHost)
            {
                await _environment.RecreateVirtualHostAsync(ct); // no module queue from the seeding host behind the exchange
            }
            report.Broker = await RawBrokerPublishing.RunAsync(options, options.BrokerMessages, options.RelayBatchSize, report.Relay?.BodyBytes, ct);
            Log($"limits: raw broker {report.Broker.PublishedPerSecond:N0} msg/s, {report.Broker.CpuMsPerMessage:0.000} ms CPU per message (this process + RabbitMQ)");
        }
    }

    /// <summary>A ceiling measured from this process straight against the servers, with its CPU and database work.</summary>
    private async Task<RunRecord> MeasureLimitAsync(
        string name, string scenario, Func<CancellationToken, Task<LoadResult>> run, CancellationToken ct, IMeasuredProcess? measured = null)
    {
        var cpu = new CpuMeter(options, measured ?? new CurrentProcess());
        var dbBefore = await DbCounters.ReadAsync(options.ConnectionString, ct);
        var load = await run(ct);
        var usage = cpu.Stop();
        var db = (await DbCounters.ReadAsync(options.ConnectionString, ct)).Minus(dbBefore);
        return new RunRecord(name, scenario, "-", $"closed loop, c={options.Concurrency}", load, usage, Db: db);
    }

    /// <summary>A fresh host per run (or none when pointed at one elsewhere), after emptying the database and the virtual host.</summary>
    private async Task<ProductHost?> StartProductHostAsync(
        string name, Costs costs, CancellationToken ct, params (string Key, string Value)[] settings)
    {
        if (!options.ManagesHost)
        {
            return null;
        }
        await _environment.ResetAsync(ct);
        await costs.ApplyToSimulatorAsync(options.Simulator, ct);
        return await ProductHost.StartAsync(options, settings.Select(s => KeyValuePair.Create(s.Key, s.Value)),
            Path.Combine(resultsDirectory, $"host-{name}.log"), ct);
    }

    private async Task<DateTime> PaidAtAsync(Guid orderId, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            "SELECT paid_at FROM order_orders WHERE id = @Id", new { Id = orderId }, cancellationToken: ct));
    }

    private ShopClient Shop(string url) => ShopClient.Create(url, options.Concurrency + 8, options.AdminKey, options.CallbackSecret);

    private static void Log(string message) => Console.Error.WriteLine($"[bench {DateTime.UtcNow:HH:mm:ss}] {message}");
}
