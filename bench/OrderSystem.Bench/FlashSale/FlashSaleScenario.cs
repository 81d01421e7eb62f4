using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Dapper;
using MySqlConnector;
using OrderSystem.Bench.Feed;
using OrderSystem.Bench.Hosting;
using OrderSystem.Bench.Load;
using OrderSystem.Bench.Outbox;

namespace OrderSystem.Bench.FlashSale;

/// <summary>
/// The "flash-sale" scenario (issue 17): ordinary payments at a fixed rate; for each wave, a quiet phase first, then the
/// wave of admission requests from many users for a few units while the payments go on. A wave is an arrival rate (open
/// loop, Bench:FlashRates, one fresh sale each) or, with Bench:FlashRates "closed", senders in a closed loop. Measured per
/// wave: the admission latency and answers, the host's CPU per wave request, the database's commits/s (and the orders
/// written per second against FlashSales:MaxOrderWritesPerSecond), ordinary payment latency in the wave against the quiet
/// phase just before it, the time until every ticket is written, and the units sold once every flash order is paid.
/// </summary>
internal sealed class FlashSaleScenario(BenchOptions options, ShopClient shop, string url, IMeasuredProcess host, IReadOnlyList<string> skus, Action<string> log)
{
    public async Task<IReadOnlyList<FlashSaleRecord>> RunAsync(CancellationToken ct)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var phase = TimeSpan.FromSeconds(options.FlashWaveSeconds);
        var payRate = options.ExpiryPayRate;
        var perPhase = (int)(payRate * phase.TotalSeconds);
        IReadOnlyList<double?> waves = options.FlashRates.Count == 0 ? [null] : [.. options.FlashRates.Select(r => (double?)r)];
        var background = await Catalog.PlaceOrdersAsync(shop, skus, (int)Math.Ceiling(payRate * (phase.TotalSeconds * (1 + 2 * waves.Count) + 4)), 16,
            "flash-sale: background orders", ct);

        await WarmUpAsync($"bench-{stamp}-warm-up", waves[0], background.Take(perPhase).ToList(), ct);
        background = background.Skip(perPhase).ToList();

        var records = new List<FlashSaleRecord>();
        foreach (var (rate, n) in waves.Select((r, i) => (r, i)))
        {
            // Each wave a fresh sale: the same one sold out would answer the next wave's every request with a cheap 409.
            var saleId = $"bench-{stamp}-{n + 1}";
            records.Add(await WaveAsync(saleId, rate, background.Skip(2 * n * perPhase).Take(2 * perPhase).ToList(), ct));
        }
        return records;
    }

    /// <summary>
    /// A fresh host's first payments and admissions are slow (JIT, pools, the consumers' first work), and its JIT takes up to
    /// a core for tens of seconds (performance.md, finding 27): unmeasured, or "quiet" would be the cold start and the first
    /// wave the JIT of the admission path. So a phase of payments beside a short wave on a small sale of its own, that sale's
    /// orders paid, and then until the host's JIT has settled.
    /// </summary>
    private async Task WarmUpAsync(string saleId, double? rate, IReadOnlyList<PlacedOrder> payments, CancellationToken ct)
    {
        var units = Math.Max(1, options.FlashUnits / 10);
        var sku = "FLASH-" + saleId;
        var waveLength = TimeSpan.FromSeconds(2);
        await shop.PutProductAsync(sku, 5.00m, units, ct);
        await DefineAsync(saleId, sku, units, ct);
        log($"flash-sale: warm-up payments at {options.ExpiryPayRate}/s for {options.FlashWaveSeconds} s beside a {waveLength.TotalSeconds:0} s wave for {units} units (not measured)");
        var start = DateTime.UtcNow.AddSeconds(1);
        var wave = new FlashWave(BaseUrl, options.FlashConcurrency, options.FlashUsers).OpenLoopAsync(saleId, rate ?? 1000, start, waveLength, ct);
        await PayAtRateAsync(payments, options.ExpiryPayRate, start, ct);
        var admitted = (await wave).Answers.Count(a => a.Status == HttpStatusCode.Accepted);
        await WaitUntilWrittenAsync(saleId, admitted, TimeSpan.FromMinutes(2), ct);
        await LoadRun.RunAsync("flash-sale: pay the warm-up's flash orders", await FlashOrdersAsync(ct), 16, TimeSpan.FromMinutes(2), null, (o, t) => shop.PayAsync(o, t), ct);
        var settled = await HostJit.WaitUntilSettledAsync(BaseUrl, JitSettledMsPerSecond, TimeSpan.FromSeconds(90), ct);
        log(settled is { } took
            ? $"flash-sale: the host's JIT under {JitSettledMsPerSecond} ms a second for 3 s, {took.TotalSeconds:0} s after the warm-up"
            : "flash-sale: the host exports no JIT time; measuring without waiting for it to settle");
    }

    private const double JitSettledMsPerSecond = 20;

    private async Task<FlashSaleRecord> WaveAsync(string saleId, double? rate, IReadOnlyList<PlacedOrder> payments, CancellationToken ct)
    {
        var sku = "FLASH-" + saleId;
        var phase = TimeSpan.FromSeconds(options.FlashWaveSeconds);
        var payRate = options.ExpiryPayRate;
        var perPhase = payments.Count / 2;
        await shop.PutProductAsync(sku, 5.00m, options.FlashUnits, ct);
        await DefineAsync(saleId, sku, options.FlashUnits, ct);

        // The earlier payments' fulfillment (the warm-up's, the previous wave's flash orders') and the feed's sequencing of
        // it would otherwise run into "quiet" (finding 35).
        await FulfillmentLag.DrainAsync(options.ConnectionString, TimeSpan.FromMinutes(2), ct);
        await FeedLagWatch.WaitCaughtUpAsync(options.ConnectionString, TimeSpan.FromMinutes(2), ct);
        log($"flash-sale {saleId}: quiet payments at {payRate}/s for {phase.TotalSeconds:0} s");
        var quietStart = DateTime.UtcNow.AddSeconds(1);
        await DelayUntilAsync(quietStart, ct);
        var quietCpu = CpuNow();
        var beforeQuiet = await HostPaymentHistogram.ReadAsync(BaseUrl, ct);
        var quiet = await PayAtRateAsync(payments.Take(perPhase).ToList(), payRate, quietStart, ct);
        var afterQuiet = await HostPaymentHistogram.ReadAsync(BaseUrl, ct);
        await DelayUntilAsync(quietStart + phase, ct); // the whole phase even without payments (--expiry-pay-rate 0: the host idle)
        var quietUsage = quietCpu.Until(CpuNow());

        log(rate is { } r
            ? $"flash-sale {saleId}: a wave of {r:N0} requests/s (open loop over {options.FlashConcurrency} connections) from {options.FlashUsers:N0} users for {options.FlashUnits:N0} units, {phase.TotalSeconds:0} s"
            : $"flash-sale {saleId}: a wave of {options.FlashConcurrency} senders (closed loop) from {options.FlashUsers:N0} users for {options.FlashUnits:N0} units, {phase.TotalSeconds:0} s");
        var waveStart = DateTime.UtcNow.AddSeconds(1);
        var commits = SampleCommitsAsync(waveStart, waveStart + phase, ct);
        var wave = new FlashWave(BaseUrl, options.FlashConcurrency, options.FlashUsers, options.FlashControl);
        var waveTask = rate is { } perSecond
            ? wave.OpenLoopAsync(saleId, perSecond, waveStart, phase, ct)
            : wave.ClosedLoopAsync(saleId, waveStart, waveStart + phase, ct);
        await DelayUntilAsync(waveStart, ct);
        var waveCpu = CpuNow();
        var beforeWave = await HostPaymentHistogram.ReadAsync(BaseUrl, ct);
        var inWave = await PayAtRateAsync(payments.Skip(perPhase).ToList(), payRate, waveStart, ct);
        var afterWave = await HostPaymentHistogram.ReadAsync(BaseUrl, ct); // before the flash orders are paid
        var sent = await waveTask;
        var waveUsage = waveCpu.Until(CpuNow());
        var commitRates = await commits;
        var answers = sent.Answers;

        var admitted = answers.Count(a => a.Status == HttpStatusCode.Accepted);
        // Open loop: answer i was due at i / rate, so the last 202's index says when the units ran out.
        var lastAdmitted = answers.Select((a, i) => a.Status == HttpStatusCode.Accepted ? i : -1).DefaultIfEmpty(-1).Max();
        double? soldOutSeconds = rate is { } due && lastAdmitted >= 0 ? (lastAdmitted + 1) / due : null;
        var written = await WaitUntilWrittenAsync(saleId, admitted, TimeSpan.FromMinutes(5), ct) ?? waveStart;
        var allWrittenAfter = written - waveStart;
        var writesPerSecond = await MaxWritesPerSecondAsync(saleId, ct);
        log($"flash-sale {saleId}: paying the {admitted} flash orders");
        var flashOrders = await FlashOrdersAsync(ct);
        var paid = await LoadRun.RunAsync($"flash-sale {saleId}: pay flash orders", flashOrders, 16, TimeSpan.FromMinutes(5), null, (o, t) => shop.PayAsync(o, t), ct);
        var sold = await SoldAsync(sku, ct);
        var record = new FlashSaleRecord(rate, options.FlashUnits, options.FlashUsers, answers.Count, phase.TotalSeconds, sent.SendingSeconds,
            LatencyStats.Of(answers.Select(a => a.Ms)), admitted, answers.Count(a => a.Status == HttpStatusCode.Conflict),
            answers.Count(a => a.Status == HttpStatusCode.TooManyRequests), answers.Count(a => a.Status is not (HttpStatusCode.Accepted or
                HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests)),
            commitRates, writesPerSecond, int.Parse(options.Configuration["FlashSales:MaxOrderWritesPerSecond"] ?? "200", CultureInfo.InvariantCulture),
            LatencyStats.Of(quiet.Select(p => p.Ms)), LatencyStats.Of(inWave.Select(p => p.Ms)),
            LatencyStats.Of(inWave.Where(p => p.At < allWrittenAfter.TotalSeconds).Select(p => p.Ms)),
            LatencyStats.Of(inWave.Where(p => p.At >= allWrittenAfter.TotalSeconds).Select(p => p.Ms)), allWrittenAfter.TotalSeconds, paid.Latency.Count, sold, quietUsage, waveUsage,
            afterQuiet.Minus(beforeQuiet), afterWave.Minus(beforeWave), inWave, soldOutSeconds);
        log(FormattableString.Invariant(
            $"flash-sale {saleId}: {record.Requests / record.SendingSeconds:N0} requests/s sent, admission p50 / p99 {record.Admission.P50:0.0} / {record.Admission.P99:0.0} ms, payment p99 wave / quiet {record.PaymentInWave.P99:0.0} / {record.PaymentQuiet.P99:0.0} ms (in the handler ≤ {record.HostWave.P99BoundMs:0} / ≤ {record.HostQuiet.P99BoundMs:0} ms), host CPU {record.HostCpuMsPerRequestGross:0.000} ms per wave request ({record.HostCpuMsPerRequest:0.000} beyond quiet)"));
        return record;
    }

    private CpuSample CpuNow() => new(host.Sample().CpuTime, CpuMeter.CpuOf(Environment.ProcessId) ?? TimeSpan.Zero, MachineCpu.ReadSteal(), Stopwatch.GetTimestamp());

    private async Task DefineAsync(string saleId, string sku, int units, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        var body = $$"""{"sku":"{{sku}}","units":{{units}},"price":5.00,"startsAt":"{{DateTime.UtcNow.AddMinutes(-1):O}}","endsAt":"{{DateTime.UtcNow.AddHours(1):O}}","perUserLimit":1}""";
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/admin/flash-sales/{saleId}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", options.AdminKey);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"the sale could not be defined: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    /// <summary>Each payment's latency, with its scheduled moment in seconds from <paramref name="from"/>.</summary>
    private async Task<IReadOnlyList<(double At, double Ms)>> PayAtRateAsync(IReadOnlyList<PlacedOrder> orders, double rate, DateTime from, CancellationToken ct)
    {
        var results = new ConcurrentBag<(double, double)>();
        await Task.WhenAll(orders.Select((order, i) => Task.Run(async () =>
        {
            await DelayUntilAsync(from + TimeSpan.FromSeconds(i / rate), ct);
            var started = Stopwatch.GetTimestamp();
            if (await shop.PayAsync(order, ct))
            {
                results.Add((i / rate, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }
        }, ct)));
        return [.. results];
    }

    /// <summary>Com_commit per second of the whole server, sampled each second of the wave.</summary>
    private async Task<LatencyStats> SampleCommitsAsync(DateTime from, DateTime until, CancellationToken ct)
    {
        await DelayUntilAsync(from, ct);
        var rates = new List<double>();
        var before = await DbCounters.ReadAsync(options.ConnectionString, ct);
        var at = Stopwatch.GetTimestamp();
        while (DateTime.UtcNow < until)
        {
            await Task.Delay(1000, ct); // a sampling period, not a wait for a condition
            var now = await DbCounters.ReadAsync(options.ConnectionString, ct);
            rates.Add(now.Minus(before).Commits / Stopwatch.GetElapsedTime(at).TotalSeconds);
            (before, at) = (now, Stopwatch.GetTimestamp());
        }
        return LatencyStats.Of(rates);
    }

    /// <summary>When the last ticket was written; null when none was (a control wave admits nothing).</summary>
    private async Task<DateTime?> WaitUntilWrittenAsync(string saleId, int admitted, TimeSpan timeout, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        var until = DateTime.UtcNow + timeout;
        while (await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                   "SELECT COUNT(*) FROM flashsales_tickets WHERE sale_id = @SaleId", new { SaleId = saleId }, cancellationToken: ct)) < admitted
               && DateTime.UtcNow < until)
        {
            await Task.Delay(100, ct); // polling the condition
        }
        return await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "SELECT MAX(written_at) FROM flashsales_tickets WHERE sale_id = @SaleId", new { SaleId = saleId }, cancellationToken: ct));
    }

    private async Task<double> MaxWritesPerSecondAsync(string saleId, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM flashsales_tickets WHERE sale_id = @SaleId GROUP BY DATE_FORMAT(written_at, '%Y%m%d%H%i%s')) s",
            new { SaleId = saleId }, cancellationToken: ct));
    }

    private async Task<IReadOnlyList<PlacedOrder>> FlashOrdersAsync(CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        return [.. (await connection.QueryAsync<(Guid Id, decimal Total)>(new CommandDefinition(
            "SELECT id, total_amount FROM order_orders WHERE stock_reserved = 1 AND status = 'Created'", cancellationToken: ct)))
            .Select(o => new PlacedOrder(o.Id, o.Total))];
    }

    private async Task<long> SoldAsync(string sku, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT deducted FROM inventory_products WHERE sku = @Sku", new { Sku = sku }, cancellationToken: ct));
    }

    private string BaseUrl => url.TrimEnd('/') + "/";

    private static async Task DelayUntilAsync(DateTime at, CancellationToken ct)
    {
        var wait = at - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct); // a phase that starts at a moment
        }
    }
}

/// <summary>CPU time of the host and of this load generator at a moment, and the machine's steal counter.</summary>
internal sealed record CpuSample(TimeSpan Host, TimeSpan LoadGenerator, (long Steal, long Total) Machine, long At)
{
    public CpuUsage Until(CpuSample later)
    {
        var seconds = Stopwatch.GetElapsedTime(At, later.At).TotalSeconds;
        return new CpuUsage((later.Host - Host).TotalMilliseconds, (later.LoadGenerator - LoadGenerator).TotalMilliseconds, seconds,
            MachineCpu.PercentBetween(Machine, later.Machine));
    }
}

/// <summary>
/// CPU milliseconds used by the host and the load generator over a phase of Seconds, and the hypervisor's steal time
/// over it (% of all the machine's CPU time; NaN where /proc/stat is not there).
/// </summary>
internal sealed record CpuUsage(double HostMs, double LoadGeneratorMs, double Seconds, double StealPercent)
{
    public double HostPercent => HostMs / Seconds / 10;
    public double LoadGeneratorPercent => LoadGeneratorMs / Seconds / 10;
}

/// <summary>
/// One wave: OfferedRate null for the closed loop. The payments in the wave also apart: those due while the sale sold
/// and its orders were written (until AllWrittenSeconds), and those due after, when the wave was only 409s and 429s.
/// HostQuiet and HostWave: the same payments as the host's own histogram timed them. WavePayments: each payment in the
/// wave, its scheduled moment in seconds from the wave's start and its latency. SoldOutSeconds: when the last admitted
/// request was due (open loop only).
/// </summary>
internal sealed record FlashSaleRecord(
    double? OfferedRate, int Units, int Users, int Requests, double WaveSeconds, double SendingSeconds, LatencyStats Admission, int Accepted,
    int Conflicts, int Shed, int Other, LatencyStats CommitsPerSecond, double MaxOrdersWrittenPerSecond, int WriteCap, LatencyStats PaymentQuiet,
    LatencyStats PaymentInWave, LatencyStats PaymentWhileSelling, LatencyStats PaymentAfterSelling, double AllWrittenSeconds, int FlashOrdersPaid, long UnitsSold, CpuUsage QuietCpu, CpuUsage WaveCpu,
    HostPaymentHistogram HostQuiet, HostPaymentHistogram HostWave, IReadOnlyList<(double At, double Ms)> WavePayments, double? SoldOutSeconds)
{
    /// <summary>The host's CPU in the wave, per wave request (the payments' and the order writer's share included).</summary>
    public double HostCpuMsPerRequestGross => Requests == 0 ? double.NaN : WaveCpu.HostMs / Requests;

    /// <summary>The host's CPU in the wave beyond its quiet rate (the same payments go on in both), per wave request.</summary>
    public double HostCpuMsPerRequest => Requests == 0 ? double.NaN : (WaveCpu.HostMs - QuietCpu.HostMs / QuietCpu.Seconds * WaveCpu.Seconds) / Requests;

    public double PaymentP99Ratio => PaymentInWave.P99 / PaymentQuiet.P99;
}
