using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Dapper;
using MySqlConnector;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Expiry;

/// <summary>
/// The "expiry" scenario: placement and payment with none and with N unpaid orders pending; then the N orders fall due
/// over a window with a burst in one second, while ordinary payments go on and a share of the seeded orders is paid,
/// some within ±50 ms of their deadline. Closing delays, burst rate, rows read and the paid/expired split come from the
/// database afterwards.
/// </summary>
internal sealed class ExpiryScenario(BenchOptions options, ShopClient shop, IReadOnlyList<string> skus, Action<string> log)
{
    private const string PaySku = "EXPIRY-PAY";

    public async Task<ExpiryRecord> RunAsync(CancellationToken ct)
    {
        var n = options.ExpiryOrders;
        var burst = Math.Min(options.ExpiryBurst, n / 2);
        var paid = Math.Min(options.ExpiryPaid, (n - burst) / 2);
        var duration = TimeSpan.FromSeconds(Math.Min(options.DurationSeconds, 15));

        log("expiry: warm-up (unmeasured), then placement and payment with no order pending");
        await PlaceAndPayAsync("warm-up", duration, ct);
        var none = await PlaceAndPayAsync("none pending", duration, ct);
        log($"expiry: seeding {n:N0} unpaid orders (deadlines a day away)");
        await ExpirySeed.InsertAsync(options.ConnectionString, n, ct);
        await shop.PutProductAsync(PaySku, 1.00m, paid, ct);
        await ExpirySeed.AddLinesAsync(options.ConnectionString, PaySku, burst + 1, burst + paid, ct);
        log($"expiry: placement and payment with {n:N0} pending");
        var pending = await PlaceAndPayAsync($"{n:N0} pending", duration, ct);

        // The window: deadlines from 20 s on, spread over the configured seconds, the burst in the middle of it.
        var spread = TimeSpan.FromSeconds(options.ExpirySpreadSeconds);
        var start = DateTime.UtcNow.AddSeconds(20 + n / 10_000.0); // room for the update below
        var burstAt = Micro(start + spread / 2);
        log($"expiry: deadlines from {start:HH:mm:ss} over {spread.TotalSeconds:0} s, {burst:N0} due at {burstAt:HH:mm:ss.fff}");
        await ExpirySeed.SetDeadlinesAsync(options.ConnectionString, n, burst, burstAt, Micro(start), spread, ct);
        var toPay = await ExpirySeed.IdsAsync(options.ConnectionString, burst + 1, burst + paid, ct);
        var background = await Catalog.PlaceOrdersAsync(shop, skus,
            (int)Math.Ceiling(options.ExpiryPayRate * (spread.TotalSeconds + 10)), 16, "expiry: background orders", ct);

        var readsBefore = await HandlerReadsAsync(ct);
        var windowEnd = start + spread + TimeSpan.FromSeconds(5);
        var backgroundRun = PayAtRateAsync(background, options.ExpiryPayRate, start, windowEnd, ct);
        var seededRun = PaySeededAsync(toPay, seq => ExpirySeed.DeadlineOf(seq, n, burst, burstAt, Micro(start), spread), ct);
        var backgroundPayments = await backgroundRun;
        var seededAnswers = await seededRun;
        // Through the due index, as the closer reads it: a scan here would weigh on the counters it measures.
        await WaitForNoneDueAsync(windowEnd, TimeSpan.FromMinutes(5), ct);
        var reads = await HandlerReadsAsync(ct) - readsBefore;

        return await MeasureAsync(none, pending, burst, burstAt, backgroundPayments, seededAnswers, reads, ct);
    }

    private async Task<ExpiryRecord> MeasureAsync(PhaseResult none, PhaseResult pending, int burst, DateTime burstAt,
        IReadOnlyList<(DateTime At, double Ms)> payments, IReadOnlyList<(Guid OrderId, HttpStatusCode Status, double OffsetMs)> seeded,
        long reads, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        var delays = LatencyStats.Of((await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT TIMESTAMPDIFF(MICROSECOND, expires_at, expired_at) FROM order_orders WHERE user_id LIKE 'exp-%' AND status = 'Expired'",
            cancellationToken: ct, commandTimeout: 300))).Select(us => us / 1000.0));
        var burstLast = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            "SELECT MAX(expired_at) FROM order_orders WHERE status = 'Expired' AND expires_at = @BurstAt", new { BurstAt = burstAt }, cancellationToken: ct));
        var burstSeconds = Math.Max(0.001, (burstLast - burstAt).TotalSeconds);
        var ids = seeded.Select(s => s.OrderId).ToList();
        var states = (await connection.QueryAsync<(Guid Id, string Status, DateTime? ExpiredAt)>(new CommandDefinition(
            "SELECT id, status, expired_at FROM order_orders WHERE id IN @Ids", new { Ids = ids }, cancellationToken: ct))).ToDictionary(s => s.Id);
        var both = states.Values.Count(s => s.Status == "Paid" && s.ExpiredAt is not null)
            + seeded.Count(s => s.Status == HttpStatusCode.OK && states[s.OrderId].Status != "Paid")
            + seeded.Count(s => s.Status != HttpStatusCode.OK && states[s.OrderId].Status == "Paid");
        var inBurst = payments.Where(p => p.At >= burstAt && p.At <= burstLast.AddSeconds(1)).Select(p => p.Ms).ToList();
        var quiet = payments.Where(p => p.At < burstAt.AddSeconds(-2)).Select(p => p.Ms).ToList();
        return new ExpiryRecord(options.ExpiryOrders, burst, none, pending, delays, burst / burstSeconds, burstSeconds,
            LatencyStats.Of(inBurst), LatencyStats.Of(quiet), reads, delays.Count,
            seeded.Count(s => s.Status == HttpStatusCode.OK), seeded.Count(s => Math.Abs(s.OffsetMs) <= 50), both);
    }

    /// <summary>Places orders and pays them at full speed (c=16): the buyer's two calls, measured.</summary>
    private async Task<PhaseResult> PlaceAndPayAsync(string label, TimeSpan duration, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var orders = await Catalog.PlaceOrdersAsync(shop, skus, 3000, 16, $"expiry: place ({label})", ct);
        var placePerSecond = orders.Count / clock.Elapsed.TotalSeconds;
        var pay = await LoadRun.RunAsync($"expiry: pay ({label})", orders, 16, duration, null, (o, t) => shop.PayAsync(o, t), ct);
        return new PhaseResult(label, placePerSecond, pay.Latency, pay.PerSecond);
    }

    /// <summary>Ordinary payments at a fixed rate through the window, each with its start time.</summary>
    private async Task<IReadOnlyList<(DateTime At, double Ms)>> PayAtRateAsync(
        IReadOnlyList<PlacedOrder> orders, double rate, DateTime from, DateTime until, CancellationToken ct)
    {
        var results = new ConcurrentBag<(DateTime, double)>();
        var tasks = new List<Task>();
        for (var i = 0; i < orders.Count; i++)
        {
            var at = from + TimeSpan.FromSeconds(i / rate);
            if (at > until)
            {
                break;
            }
            var order = orders[i];
            tasks.Add(Task.Run(async () =>
            {
                await DelayUntilAsync(at, ct);
                var started = Stopwatch.GetTimestamp();
                if (await shop.PayAsync(order, ct))
                {
                    results.Add((at, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                }
            }, ct));
        }
        await Task.WhenAll(tasks);
        return [.. results];
    }

    /// <summary>Half of the seeded orders paid 1-10 s before their deadline, half within ±50 ms of it.</summary>
    private async Task<IReadOnlyList<(Guid OrderId, HttpStatusCode Status, double OffsetMs)>> PaySeededAsync(
        IReadOnlyList<(Guid OrderId, long Seq)> orders, Func<long, DateTime> deadlineOf, CancellationToken ct)
    {
        var random = new Random(11);
        var plan = orders.Select((o, i) => (o.OrderId, OffsetMs: i % 2 == 0 ? random.Next(-50, 51) : -random.Next(1000, 10_000), Deadline: deadlineOf(o.Seq)))
            .ToList();
        return await Task.WhenAll(plan.Select(p => Task.Run(async () =>
        {
            await DelayUntilAsync(p.Deadline.AddMilliseconds(p.OffsetMs), ct);
            return (p.OrderId, await shop.PayForStatusAsync(new PlacedOrder(p.OrderId, 1.00m), ct), (double)p.OffsetMs);
        }, ct)));
    }

    private async Task WaitForNoneDueAsync(DateTime windowEnd, TimeSpan timeout, CancellationToken ct)
    {
        const string Sql = "SELECT COUNT(*) FROM order_orders WHERE status = 'Created' AND expires_at <= @WindowEnd";
        var until = DateTime.UtcNow + timeout;
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        while (await connection.ExecuteScalarAsync<long>(new CommandDefinition(Sql, new { WindowEnd = windowEnd }, cancellationToken: ct)) > 0
               && DateTime.UtcNow < until)
        {
            await Task.Delay(500, ct); // polling the condition
        }
    }

    private async Task<long> HandlerReadsAsync(CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT SUM(VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME LIKE 'HANDLER_READ%'", cancellationToken: ct));
    }

    private static async Task DelayUntilAsync(DateTime at, CancellationToken ct)
    {
        var wait = at - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct); // a payment aimed at a moment
        }
    }

    private static DateTime Micro(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
}

internal sealed record PhaseResult(string Label, double PlacedPerSecond, LatencyStats Payment, double PaidPerSecond);

internal sealed record ExpiryRecord(
    int Orders, int Burst, PhaseResult None, PhaseResult Pending, LatencyStats ClosingDelayMs, double BurstClosesPerSecond,
    double BurstSeconds, LatencyStats PaymentInBurst, LatencyStats PaymentQuiet, long HandlerReads, int Closed,
    int SeededPaid, int SeededNearDeadline, int PaidAndExpired)
{
    public double ReadsPerClose => Closed == 0 ? double.NaN : (double)HandlerReads / Closed;
}
