using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Dapper;
using MySqlConnector;
using OrderSystem.Bench.Hosting;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.FlashSale;

/// <summary>
/// The "flash-sale" scenario (issue 17): ordinary payments at a fixed rate, quiet first; then a wave of admission requests
/// from many users for a few units, as fast as the load generator sends them, while the payments go on. Measured: the
/// admission latency and answers, the database's commits/s during the wave (and the orders written per second against
/// FlashSales:MaxOrderWritesPerSecond), ordinary payment p99 in the wave against quiet, the time until every ticket is
/// written, and the units sold once every flash order is paid.
/// </summary>
internal sealed class FlashSaleScenario(BenchOptions options, ShopClient shop, string url, IReadOnlyList<string> skus, Action<string> log)
{
    public async Task<FlashSaleRecord> RunAsync(CancellationToken ct)
    {
        var saleId = "bench-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var sku = "FLASH-" + saleId;
        var phase = TimeSpan.FromSeconds(options.FlashWaveSeconds);
        var payRate = options.ExpiryPayRate;
        var perPhase = (int)(payRate * phase.TotalSeconds);
        var background = await Catalog.PlaceOrdersAsync(shop, skus, (int)Math.Ceiling(payRate * (phase.TotalSeconds * 3 + 4)), 16,
            "flash-sale: background orders", ct);
        await shop.PutProductAsync(sku, 5.00m, options.FlashUnits, ct);
        await DefineAsync(saleId, sku, ct);

        // A fresh host's first payments are slow (JIT, pools, the consumers' first work): unmeasured, or "quiet" would be
        // the cold start and the wave's comparison with it lenient.
        log($"flash-sale: warm-up payments at {payRate}/s for {phase.TotalSeconds:0} s (not measured)");
        await PayAtRateAsync(background.Take(perPhase).ToList(), payRate, DateTime.UtcNow.AddSeconds(1), ct);
        background = background.Skip(perPhase).ToList();

        log($"flash-sale: quiet payments at {payRate}/s for {phase.TotalSeconds:0} s");
        var quietStart = DateTime.UtcNow.AddSeconds(1);
        var quiet = await PayAtRateAsync(background.Take(perPhase).ToList(), payRate, quietStart, ct);

        log($"flash-sale: a wave of {options.FlashConcurrency} senders from {options.FlashUsers:N0} users for {options.FlashUnits:N0} units, {phase.TotalSeconds:0} s");
        var waveStart = DateTime.UtcNow.AddSeconds(1);
        var commits = SampleCommitsAsync(waveStart, waveStart + phase, ct);
        var waveTask = WaveAsync(saleId, waveStart, waveStart + phase, ct);
        var inWave = await PayAtRateAsync(background.Skip(perPhase).Take(perPhase).ToList(), payRate, waveStart, ct);
        var wave = await waveTask;
        var commitRates = await commits;

        var admitted = wave.Count(a => a.Status == HttpStatusCode.Accepted);
        var written = await WaitUntilWrittenAsync(admitted, TimeSpan.FromMinutes(5), ct);
        var allWrittenAfter = written - waveStart;
        var writesPerSecond = await MaxWritesPerSecondAsync(ct);
        log($"flash-sale: paying the {admitted} flash orders");
        var flashOrders = await FlashOrdersAsync(ct);
        var paid = await LoadRun.RunAsync("flash-sale: pay flash orders", flashOrders, 16, TimeSpan.FromMinutes(5), null, (o, t) => shop.PayAsync(o, t), ct);
        var sold = await SoldAsync(sku, ct);
        return new FlashSaleRecord(options.FlashUnits, options.FlashUsers, wave.Count, phase.TotalSeconds,
            LatencyStats.Of(wave.Select(a => a.Ms)), admitted, wave.Count(a => a.Status == HttpStatusCode.Conflict),
            wave.Count(a => a.Status == HttpStatusCode.TooManyRequests), wave.Count(a => a.Status is not (HttpStatusCode.Accepted or
                HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests)),
            commitRates, writesPerSecond, int.Parse(options.Configuration["FlashSales:MaxOrderWritesPerSecond"] ?? "500", CultureInfo.InvariantCulture), LatencyStats.Of(quiet), LatencyStats.Of(inWave), allWrittenAfter.TotalSeconds,
            paid.Latency.Count, sold);
    }

    private async Task DefineAsync(string saleId, string sku, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        var body = $$"""{"sku":"{{sku}}","units":{{options.FlashUnits}},"price":5.00,"startsAt":"{{DateTime.UtcNow.AddMinutes(-1):O}}","endsAt":"{{DateTime.UtcNow.AddHours(1):O}}","perUserLimit":1}""";
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/admin/flash-sales/{saleId}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", options.AdminKey);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"the sale could not be defined: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    /// <summary>Senders in a closed loop, each request from a random user of the crowd, until the wave ends.</summary>
    private async Task<IReadOnlyList<(HttpStatusCode Status, double Ms)>> WaveAsync(string saleId, DateTime from, DateTime until, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.FlashConcurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30),
        };
        var answers = new ConcurrentBag<(HttpStatusCode, double)>();
        await DelayUntilAsync(from, ct);
        await Task.WhenAll(Enumerable.Range(0, options.FlashConcurrency).Select(sender => Task.Run(async () =>
        {
            var random = new Random(sender);
            while (DateTime.UtcNow < until)
            {
                var body = $$"""{"userId":"crowd-{{random.Next(options.FlashUsers)}}","quantity":1}""";
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync($"api/flash-sales/{saleId}/orders", new StringContent(body, Encoding.UTF8, "application/json"), ct);
                    answers.Add((response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                }
                catch (HttpRequestException)
                {
                    answers.Add((HttpStatusCode.ServiceUnavailable, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                }
            }
        }, ct)));
        return [.. answers];
    }

    private async Task<IReadOnlyList<double>> PayAtRateAsync(IReadOnlyList<PlacedOrder> orders, double rate, DateTime from, CancellationToken ct)
    {
        var results = new ConcurrentBag<double>();
        await Task.WhenAll(orders.Select((order, i) => Task.Run(async () =>
        {
            await DelayUntilAsync(from + TimeSpan.FromSeconds(i / rate), ct);
            var started = Stopwatch.GetTimestamp();
            if (await shop.PayAsync(order, ct))
            {
                results.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
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

    private async Task<DateTime> WaitUntilWrittenAsync(int admitted, TimeSpan timeout, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        var until = DateTime.UtcNow + timeout;
        while (await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM flashsales_tickets", cancellationToken: ct)) < admitted
               && DateTime.UtcNow < until)
        {
            await Task.Delay(100, ct); // polling the condition
        }
        return await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition("SELECT MAX(written_at) FROM flashsales_tickets", cancellationToken: ct));
    }

    private async Task<double> MaxWritesPerSecondAsync(CancellationToken ct)
    {
        await using var connection = new MySqlConnection(options.ConnectionString);
        await connection.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM flashsales_tickets GROUP BY DATE_FORMAT(written_at, '%Y%m%d%H%i%s')) s",
            cancellationToken: ct));
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

internal sealed record FlashSaleRecord(
    int Units, int Users, int Requests, double WaveSeconds, LatencyStats Admission, int Accepted, int Conflicts, int Shed, int Other,
    LatencyStats CommitsPerSecond, double MaxOrdersWrittenPerSecond, int WriteCap, LatencyStats PaymentQuiet, LatencyStats PaymentInWave,
    double AllWrittenSeconds, int FlashOrdersPaid, long UnitsSold);
