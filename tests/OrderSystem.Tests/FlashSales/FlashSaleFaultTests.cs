using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Dapper;
using OrderSystem.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrderSystem.Tests.FlashSales;

/// <summary>Flash sales across host processes: a writer crashing after admission, two hosts side by side, the store restarted mid-sale.</summary>
[Category("Slow")]
public sealed class FlashSaleFaultTests
{
    [Test]
    public async Task Every_202_becomes_exactly_one_order_when_writers_crash_after_admission()
    {
        var system = await ProcessSystem.CreateAsync("flashcrash");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionString());
        await FlashSaleApi.ClearStoreAsync(redis, Prefix(system) + ":*");
        // A slow writer, so that most tickets are still in the stream when its host dies.
        await using var first = system.Host("flash-crash-a", ("FlashSales__MaxOrderWritesPerSecond", "10"), ("FlashSales__WriteBatchSize", "10"));
        await StartWithSaleAsync(first, "crash", stock: 150, units: 120);

        var replies = await Task.WhenAll(Enumerable.Range(0, 150).Select(i => Task.Run(() => first.Api.RequestAsync("crash", $"buyer-{i}"))));
        // A writer that read 15 tickets and died before writing them: they wait in its pending list, never acknowledged.
        var stream = (RedisKey)(Prefix(system) + ":orders");
        var stolen = await redis.GetDatabase().StreamReadGroupAsync(stream, "order-writer", "crashed-writer", StreamPosition.NewMessages, 15);
        await first.KillAsync();

        var admitted = replies.Where(r => r.Status == HttpStatusCode.Accepted).Select(FlashSaleApi.TicketOf).ToList();
        Assert.That(admitted, Has.Count.EqualTo(120));
        Assert.That(stolen, Has.Length.EqualTo(15), "15 tickets were read by the writer that crashed");
        var ordersAtCrash = await system.CountAsync("SELECT COUNT(*) FROM order_orders");
        Assert.That(ordersAtCrash, Is.LessThan(120 - 15), "the crash left tickets unwritten");

        await using var second = system.Host("flash-crash-b", ("FlashSales__ClaimIdleMs", "1000"));
        await second.StartAsync();
        var statuses = await second.Api.WaitUntilWrittenAsync("crash", admitted, seconds: 60);

        Assert.That(statuses.Values, Is.All.EqualTo("Ordered"));
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM order_orders"), Is.EqualTo(120), "one order per 202, none twice");
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM flashsales_tickets"), Is.EqualTo(120));
        Assert.That((await redis.GetDatabase().StreamPendingAsync(stream, "order-writer")).PendingMessageCount, Is.Zero,
            "the crashed writer's tickets were taken over and acknowledged");
        await second.Api.WaitUntilReconciledAsync();
        TestContext.Out.WriteLine($"orders at the crash: {ordersAtCrash} of 120");
    }

    [Test]
    public async Task Two_hosts_write_orders_within_one_shared_cap()
    {
        var system = await SystemWithEmptyStoreAsync("flashcap");
        (string, string)[] settings = [("FlashSales__MaxOrderWritesPerSecond", "20"), ("FlashSales__WriteBatchSize", "5")];
        await using var first = system.Host("flash-cap-a", settings);
        await using var second = system.Host("flash-cap-b", settings);
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        await Task.WhenAll(first.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)), second.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)));
        await first.Api.PutProductAsync("SKU-CAP", 1.00m, 100);
        Assert.That((await first.Api.DefineAsync("cap", "SKU-CAP", units: 100)).Status, Is.EqualTo(HttpStatusCode.OK));

        Api[] apis = [first.Api, second.Api];
        var replies = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => apis[i % 2].RequestAsync("cap", $"buyer-{i}"))));
        var admitted = replies.Where(r => r.Status == HttpStatusCode.Accepted).Select(FlashSaleApi.TicketOf).ToList();
        Assert.That(admitted, Has.Count.EqualTo(100));
        var statuses = await first.Api.WaitUntilWrittenAsync("cap", admitted, seconds: 60);

        Assert.That(statuses.Values, Is.All.EqualTo("Ordered"));
        // 100 orders at 20 per second for both writers together fill five budget seconds: more than 3 s from the first
        // order to the last. Each host with a cap of its own would have written 40 per second, within about 2 s.
        var spanMs = await system.CountAsync("SELECT TIMESTAMPDIFF(MICROSECOND, MIN(created_at), MAX(created_at)) DIV 1000 FROM order_orders");
        Assert.That(spanMs, Is.GreaterThan(3000), "the two writers shared one budget");
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM order_orders"), Is.EqualTo(100));
        await second.Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task A_writer_spreads_each_seconds_orders_over_the_second_instead_of_writing_them_in_one_burst()
    {
        var system = await SystemWithEmptyStoreAsync("flashpace");
        // 50 orders a second in batches of 5: a batch every 100 ms. Unpaced, each second's ten batches went out back to back.
        await using var host = system.Host("flash-pace", ("FlashSales__MaxOrderWritesPerSecond", "50"), ("FlashSales__WriteBatchSize", "5"));
        await StartWithSaleAsync(host, "pace", stock: 60, units: 60);

        var replies = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() => host.Api.RequestAsync("pace", $"buyer-{i}"))));
        var admitted = replies.Where(r => r.Status == HttpStatusCode.Accepted).Select(FlashSaleApi.TicketOf).ToList();
        Assert.That(admitted, Has.Count.EqualTo(60));
        var statuses = await host.Api.WaitUntilWrittenAsync("pace", admitted, seconds: 60);
        Assert.That(statuses.Values, Is.All.EqualTo("Ordered"));

        // A batch's orders share its created_at. Paced, batches start 100 ms apart (give or take how long each took to reach
        // its insert), so no 200 ms hold more than three of them; unpaced, a second's ten batches went out within a few ms.
        await using var connection = await system.OpenAsync();
        var batches = (await connection.QueryAsync<(DateTime At, long Orders)>(
            "SELECT created_at, COUNT(*) FROM order_orders GROUP BY created_at ORDER BY created_at")).ToList();
        var busiest = batches.Max(b => batches.Where(o => o.At >= b.At && o.At < b.At.AddMilliseconds(200)).Sum(o => o.Orders));
        Assert.That(batches.Select(b => b.Orders), Is.All.LessThanOrEqualTo(5), "written in batches of at most 5");
        Assert.That(busiest, Is.LessThanOrEqualTo(15), "orders within any 200 ms; batches (ms from the first, orders): "
            + string.Join(", ", batches.Select(b => $"{(b.At - batches[0].At).TotalMilliseconds:0}: {b.Orders}")));
        await host.Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task Two_hosts_admit_exactly_the_units_between_them_and_write_each_ticket_once()
    {
        var system = await SystemWithEmptyStoreAsync("flashpair");
        await using var first = system.Host("flash-pair-a", ("FlashSales__WriteBatchSize", "5"));
        await using var second = system.Host("flash-pair-b", ("FlashSales__WriteBatchSize", "5"));
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        await Task.WhenAll(first.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)), second.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)));
        await first.Api.PutProductAsync("SKU-PAIR", 1.00m, 100);
        Assert.That((await first.Api.DefineAsync("pair", "SKU-PAIR", units: 100, perUserLimit: 2)).Status, Is.EqualTo(HttpStatusCode.OK));

        Api[] apis = [first.Api, second.Api];
        var replies = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => apis[i % 2].RequestAsync("pair", $"buyer-{i % 150}"))));

        var admitted = replies.Where(r => r.Status == HttpStatusCode.Accepted).Select(FlashSaleApi.TicketOf).ToList();
        Assert.That(admitted, Has.Count.EqualTo(100));
        Assert.That(replies.Where(r => r.Status != HttpStatusCode.Accepted).Select(r => r.Json["type"]!.GetValue<string>()),
            Is.All.Matches<string>(t => t.EndsWith("/sold-out", StringComparison.Ordinal) || t.EndsWith("/limit-reached", StringComparison.Ordinal)));
        var statuses = await first.Api.WaitUntilWrittenAsync("pair", admitted, seconds: 60);
        Assert.That(statuses.Values, Is.All.EqualTo("Ordered"));
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM order_orders"), Is.EqualTo(100));
        Assert.That(await system.CountAsync(
            "SELECT COUNT(*) FROM (SELECT user_id FROM flashsales_tickets GROUP BY user_id HAVING SUM(quantity) > 2) t"), Is.Zero, "no buyer over the limit");
        await second.Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task A_store_killed_and_restarted_mid_sale_neither_oversells_nor_loses_an_admitted_ticket()
    {
        const int units = 200;
        var system = await ProcessSystem.CreateAsync("flashrestart");
        await using var store = await PrivateRedis.StartAsync();
        await using var host = system.Host("flash-restart", ("ConnectionStrings__Redis", store.ConnectionString));
        await host.StartAsync();
        await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        await host.Api.PutProductAsync("SKU-RESTART", 1.00m, units);
        Assert.That((await host.Api.DefineAsync("restart", "SKU-RESTART", units: units)).Status, Is.EqualTo(HttpStatusCode.OK));

        var replies = new ConcurrentBag<Reply>();
        var next = -1;
        async Task BuyAsync()
        {
            for (int i; (i = Interlocked.Increment(ref next)) < 600;)
            {
                try
                {
                    replies.Add(await host.Api.RequestAsync("restart", $"buyer-{i}"));
                }
                catch (TaskCanceledException)
                {
                    // the client gave up: the outcome is unknown to the buyer, and the counts below allow for it
                }
            }
        }
        var buyers = Enumerable.Range(0, 16).Select(_ => Task.Run(BuyAsync)).ToList();
        await Eventually.Until(() => Task.FromResult(replies.Count(r => r.Status == HttpStatusCode.Accepted)), n => n >= 60,
            TimeSpan.FromSeconds(30), "60 admissions before the store is killed");
        await store.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(1)); // not a wait for a condition: the store stays down for a second of requests
        await store.StartAgainAsync();
        await Task.WhenAll(buyers);

        var admitted = replies.Where(r => r.Status == HttpStatusCode.Accepted).Select(FlashSaleApi.TicketOf).ToList();
        var statuses = await host.Api.WaitUntilWrittenAsync("restart", admitted, seconds: 60);
        await host.Api.WaitUntilReconciledAsync(60);
        var orders = await system.CountAsync("SELECT COUNT(*) FROM order_orders");
        var remaining = await host.Api.RemainingAsync("restart");

        Assert.That(statuses.Values, Is.All.EqualTo("Ordered"), "every 202 before, during and after the restart became an order");
        Assert.That(orders, Is.LessThanOrEqualTo(units), "no oversell");
        Assert.That(orders + remaining, Is.EqualTo(units), "every unit is either ordered or still for sale");
        Assert.That(orders, Is.GreaterThanOrEqualTo(admitted.Count), "a request cut off by the restart may hold a ticket its buyer never saw");
        TestContext.Out.WriteLine($"202: {admitted.Count}, orders {orders}, remaining {remaining}, 503: " +
            $"{replies.Count(r => r.Status == HttpStatusCode.ServiceUnavailable)}, other: {replies.Count(r => r.Status is not (HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable))}");
    }

    /// <summary>A system of host processes on a database of its own, its keys cleared from the shared store.</summary>
    private static async Task<ProcessSystem> SystemWithEmptyStoreAsync(string name)
    {
        var system = await ProcessSystem.CreateAsync(name);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionString());
        await FlashSaleApi.ClearStoreAsync(redis, Prefix(system) + ":*");
        return system;
    }

    /// <summary>Starts the host and defines the sale on a product of its own (SKU-{SALE}) holding <paramref name="stock"/> units.</summary>
    private static async Task StartWithSaleAsync(HostProcess host, string sale, int stock, int units)
    {
        await host.StartAsync();
        await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        var sku = "SKU-" + sale.ToUpperInvariant();
        await host.Api.PutProductAsync(sku, 1.00m, stock);
        Assert.That((await host.Api.DefineAsync(sale, sku, units: units)).Status, Is.EqualTo(HttpStatusCode.OK));
    }

    private static string RedisConnectionString() => TestSettings.Configuration["ConnectionStrings:Redis"] ?? "127.0.0.1:6390";

    private static string Prefix(ProcessSystem system) => "flashsales:" + system.Database;

    /// <summary>A redis-server of the test's own (append-only, fsync always, as scripts/lib/redis.sh runs it), to kill -9 and restart.</summary>
    private sealed class PrivateRedis : IAsyncDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("flash-redis-").FullName;
        private readonly int _port = LocalPorts.Free();
        private Process? _process;

        public string ConnectionString => $"127.0.0.1:{_port},connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000";

        public static async Task<PrivateRedis> StartAsync()
        {
            var redis = new PrivateRedis();
            await redis.StartAgainAsync();
            return redis;
        }

        public async Task StartAgainAsync()
        {
            _process = Process.Start(new ProcessStartInfo("redis-server",
                ["--bind", "127.0.0.1", "--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", _directory,
                 "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "no"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            await Eventually.Until(async () =>
            {
                try
                {
                    await using var probe = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
                    return (await probe.GetDatabase().PingAsync()) > TimeSpan.Zero;
                }
                catch (RedisException)
                {
                    return false; // not listening yet, or still loading its append-only file (LOADING)
                }
            }, up => up, TimeSpan.FromSeconds(20), "the private redis-server to answer, its data loaded");
        }

        public async Task KillAsync()
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await KillAsync();
            _process?.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
