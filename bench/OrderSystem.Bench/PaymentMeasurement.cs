using Dapper;
using MySqlConnector;
using OrderSystem.Bench.Hosting;
using OrderSystem.Bench.Load;
using OrderSystem.Bench.Outbox;
using OrderSystem.Bench.Report;

namespace OrderSystem.Bench;

/// <summary>
/// One measured run of payments against a host that is up and seeded: orders are placed first (not measured), a warm-up
/// pays some at full speed until the host's JIT has settled, the warm-up's asynchronous work is drained, then the buyers
/// pay the rest while CPU, memory and the outbox backlog are watched.
/// </summary>
internal sealed class PaymentMeasurement(BenchOptions options, IReadOnlyList<string> skus)
{
    private const string LastPaidSql = "SELECT COALESCE(MAX(paid_at), '2000-01-01') FROM order_orders WHERE status = 'Paid'";

    public async Task<RunRecord> RunAsync(
        string name, string scenario, Costs? costs, ShopClient shop, IMeasuredProcess process, int orders, double? rate,
        WarmupDrain drain, TimeSpan? lagWait, CancellationToken ct, Func<CancellationToken, Task>? beforeMeasuring = null)
    {
        var warmup = options.WarmupOrders;
        var placed = await Catalog.PlaceOrdersAsync(shop, skus, warmup + orders, options.Concurrency, $"{name}: place", ct);
        // A fresh host spends its first half minute or so re-compiling hot methods at higher tiers (the JIT was 16% of the
        // host's CPU 40 s after start, 1% after a 30 s warm-up): warm up for long enough, or the run measures the JIT.
        await LoadRun.RunAsync($"{name}: warm-up", placed.Take(warmup).ToList(), options.Concurrency,
            TimeSpan.FromSeconds(options.WarmupSeconds), null, shop.PayAsync, ct);
        // The warm-up's points, coupons, SMS and shipments (or, with no consumers, its relaying) must not compete with the
        // measured payments.
        if (drain == WarmupDrain.Fulfillment)
        {
            await FulfillmentLag.DrainAsync(options.ConnectionString, TimeSpan.FromMinutes(3), ct);
        }
        else if (drain == WarmupDrain.Relay)
        {
            await RelayDrain.WaitDrainedAsync(options.ConnectionString, TimeSpan.FromMinutes(3), ct);
        }
        if (beforeMeasuring is not null)
        {
            await beforeMeasuring(ct);
        }
        var outboxProbes = drain != WarmupDrain.None;
        var from = outboxProbes ? await LastPaidAsync(ct) : default;

        var dbBefore = await DbCounters.ReadAsync(options.ConnectionString, ct);
        var cpu = new CpuMeter(options, process);
        LoadResult load;
        long? backlogPeak = null;
        await using (var sampler = outboxProbes ? new BacklogSampler(options.ConnectionString) : null)
        {
            load = await LoadRun.RunAsync(name, placed.Skip(warmup).ToList(), options.Concurrency,
                TimeSpan.FromSeconds(options.DurationSeconds), rate, shop.PayAsync, ct);
            backlogPeak = sampler?.Peak;
        }
        var usage = cpu.Stop();

        LagResult? lag = null;
        if (lagWait is { } wait)
        {
            lag = await FulfillmentLag.MeasureAsync(options.ConnectionString, from.AddTicks(10), await LastPaidAsync(ct), wait, ct);
        }
        // After the lag wait the asynchronous work of these payments is done too, so the counters cover the whole pipeline.
        var db = (await DbCounters.ReadAsync(options.ConnectionString, ct)).Minus(dbBefore);
        var mode = rate is { } r ? $"open loop, {r:N0}/s" : $"closed loop, c={options.Concurrency}";
        return new RunRecord(name, scenario, costs?.Describe() ?? "as configured on the host", mode, load, usage, backlogPeak, lag, db);
    }

    private async Task<DateTime> LastPaidAsync(CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(LastPaidSql, cancellationToken: ct));
    }
}

/// <summary>What a run waits for after its warm-up, before it measures.</summary>
internal enum WarmupDrain
{
    None,
    Relay,
    Fulfillment,
}
