using System.Net;
using Dapper;
using MySqlConnector;
using OrderSystem.Analytics;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Feed;

/// <summary>
/// The reference consumer SIGKILLed at random moments (ORDERSYSTEM_FEED_KILLS times, 100 by default; the seed from
/// ORDERSYSTEM_FEED_KILL_SEED) while payments, cancellations and refunds flow, and restarted each time. Its rows and its
/// stream position share each transaction, so in the end nothing is lost, nothing counted twice and no sequence skipped:
/// its totals equal the order tables'.
/// </summary>
[Category("Slow")]
[NonParallelizable]
public sealed class AnalyticsKillTests
{
    private const string User = "os_analytics_kill";
    private const string Password = "analytics-kill-test";

    [Test]
    public async Task Killing_the_reference_consumer_at_random_moments_under_load_loses_nothing_and_counts_nothing_twice()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("ORDERSYSTEM_FEED_KILLS"), out var k) ? k : 100;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ORDERSYSTEM_FEED_KILL_SEED"), out var s) ? s : Random.Shared.Next();
        TestContext.Progress.WriteLine($"analytics kills: {kills}, seed {seed} (ORDERSYSTEM_FEED_KILL_SEED={seed} repeats it)");
        var random = new Random(seed);

        await using var system = await TestSystem.StartAsync("feedkills", settings: new Dictionary<string, string>
        {
            ["Feed:PollMs"] = "20",
            ["Refunds:PollMs"] = "100",
            ["Refunds:QueryIntervalMs"] = "300",
        });
        var reporting = await ReportingDatabaseAsync();
        await using var consumer = new AnalyticsProcess("kills", reporting, FeedLog.AmqpUri(system.VirtualHost));
        await using (await FeedLog.OpenAsync(system.VirtualHost))
        {
            // the sequencer has declared the stream: the consumer's first start finds it
        }

        using var stopLoad = new CancellationTokenSource();
        var load = new ShopLoad(system.Api);
        await load.SeedAsync();
        var shoppers = Enumerable.Range(0, 2).Select(i => load.RunAsync(seed + i, stopLoad.Token)).ToList();

        consumer.Start();
        var duringStartUp = 0;
        for (var i = 0; i < kills; i++)
        {
            // One kill in five anywhere in its start-up (connecting, reading the position); the others once it reads the
            // stream, anywhere in the batches it applies.
            if (random.Next(5) == 0)
            {
                duringStartUp++;
                await Task.Delay(random.Next(0, 400));
            }
            else
            {
                Assert.That(await consumer.WaitUntilReadingAsync(TimeSpan.FromSeconds(30)), Is.True,
                    $"start {consumer.Starts} attaches to the stream: see {consumer.LogPath}");
                await Task.Delay(random.Next(0, 1000));
            }
            Assert.That(consumer.HasExited, Is.False, $"the consumer stopped by itself before kill {i + 1}: see {consumer.LogPath}");
            await consumer.KillAsync();
            consumer.Start();
        }
        TestContext.Progress.WriteLine($"{kills} kills, {duringStartUp} of them during start-up");
        await stopLoad.CancelAsync();
        await Task.WhenAll(shoppers);
        TestContext.Progress.WriteLine($"load: {load.Describe()}");
        await WaitUntilTheFeedHasEverythingAsync(system);
        await using (var position = new MySqlConnection(reporting))
        {
            var reached = await position.ExecuteScalarAsync<long?>("SELECT sequence FROM analytics_position") ?? 0;
            TestContext.Progress.WriteLine($"the killed consumers got to sequence {reached} of {await CountAsync(system, "SELECT last_sequence FROM feed_cursor")}");
            Assert.That(reached, Is.Positive, "the consumers between the kills applied events (else the kills tested nothing)");
        }

        await consumer.KillAsync();
        consumer.Start(stopWhenIdle: TimeSpan.FromSeconds(3));
        Assert.That(await consumer.WaitForExitAsync(TimeSpan.FromSeconds(120)), Is.Zero, $"the last run ends cleanly: see {consumer.LogPath}");
        await AssertTotalsMatchAsync(system, reporting);
    }

    private static async Task<long> CountAsync(TestSystem system, string sql)
    {
        await using var connection = await system.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private static async Task<string> ReportingDatabaseAsync()
    {
        var database = "ordersystem_test_" + TestSettings.Scoped("analyticskills");
        await using (var admin = new MySqlConnection(TestSettings.ConnectionString("")))
        {
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS `{database}`"); // a constant name
        }
        await AnalyticsDatabase.SetUpAsync(TestSettings.ConnectionString(""), database, User, Password);
        return new MySqlConnectionStringBuilder(TestSettings.ConnectionString(database)) { UserID = User, Password = Password }.ConnectionString;
    }

    // Every refund ended, and the feed sequenced and published every change Order recorded.
    private static async Task WaitUntilTheFeedHasEverythingAsync(TestSystem system)
    {
        await using var connection = await system.OpenAsync();
        await Eventually.Until(() => connection.ExecuteScalarAsync<long>("""
                SELECT (SELECT COUNT(*) FROM refunds_refunds WHERE status IN ('Requested', 'Submitted', 'Processing'))
                     + (SELECT COUNT(*) FROM refunds_outbox WHERE dispatched_at IS NULL)
                     + (SELECT COUNT(*) FROM feed_cursor WHERE published_sequence <> last_sequence)
                     + (SELECT COUNT(*) FROM feed_cursor WHERE source_position < (SELECT MAX(id) FROM order_outbox))
                """), n => n == 0, TimeSpan.FromSeconds(90), "every refund ended and the feed caught up");
    }

    private static async Task AssertTotalsMatchAsync(TestSystem system, string reportingConnection)
    {
        await using var orders = await system.OpenAsync();
        await using var reporting = new MySqlConnection(reportingConnection);
        await reporting.OpenAsync();
        async Task<string> Rows(MySqlConnection c, string sql) =>
            string.Join("; ", (await c.QueryAsync(sql)).Select(r => string.Join(",", ((IDictionary<string, object>)r).Values)));

        var sequence = await orders.ExecuteScalarAsync<long>("SELECT last_sequence FROM feed_cursor");
        Assert.Multiple(async () =>
        {
            Assert.That(await reporting.ExecuteScalarAsync<long>("SELECT sequence FROM analytics_position"), Is.EqualTo(sequence),
                "the consumer got to the feed's last sequence");
            Assert.That(await Rows(reporting, "SELECT status, COUNT(*), SUM(total_amount) FROM analytics_orders GROUP BY status ORDER BY status"),
                Is.EqualTo(await Rows(orders, "SELECT status, COUNT(*), SUM(total_amount) FROM order_orders GROUP BY status ORDER BY status")),
                "orders and money per status");
            Assert.That(await Rows(reporting, "SELECT DATE_FORMAT(hour, '%Y-%m-%d %H:00'), orders_paid, revenue FROM analytics_hourly_revenue WHERE orders_paid <> 0 ORDER BY hour"),
                Is.EqualTo(await Rows(orders, """
                    SELECT DATE_FORMAT(paid_at, '%Y-%m-%d %H:00'), COUNT(*), SUM(total_amount)
                    FROM order_orders WHERE status = 'Paid' GROUP BY 1 ORDER BY 1
                    """)), "hourly revenue of the orders that stay paid");
            Assert.That(await Rows(reporting, "SELECT sku, units, revenue FROM analytics_sku_sales WHERE units <> 0 ORDER BY sku"),
                Is.EqualTo(await Rows(orders, """
                    SELECT i.sku, SUM(i.quantity), SUM(i.quantity * i.unit_price) FROM order_items i JOIN order_orders o ON o.id = i.order_id
                    WHERE o.status = 'Paid' GROUP BY i.sku ORDER BY i.sku
                    """)), "units and revenue per SKU");
            Assert.That(await Rows(reporting, "SELECT state, COUNT(*), SUM(amount) FROM analytics_refunds GROUP BY state ORDER BY state"),
                Is.EqualTo(await Rows(orders, "SELECT status, COUNT(*), SUM(amount) FROM refunds_refunds GROUP BY status ORDER BY status")),
                "refunds and their money per state");
        });
    }

    /// <summary>Buyers: most orders paid; some paid and then cancelled, some cancelled unpaid, some left unpaid, some short of stock.</summary>
    private sealed class ShopLoad(Api api)
    {
        private readonly Dictionary<string, int> _outcomes = [];
        private string _plenty = "";
        private string _scarce = "";

        public async Task SeedAsync()
        {
            _plenty = await FeedTests.NewProductAsync(api, 7.25m, 1_000_000);
            _scarce = await FeedTests.NewProductAsync(api, 3.10m, 40);
        }

        public async Task RunAsync(int seed, CancellationToken stop)
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                var roll = random.Next(20);
                var (id, total) = await FeedTests.PlaceAsync(api, roll == 0 ? _scarce : _plenty, 1 + random.Next(3));
                var outcome = roll switch
                {
                    1 => await CancelAsync(id),
                    2 => "unpaid",
                    _ => (await api.PayAsync(id, $"pay-{id}", total)).Status == HttpStatusCode.OK
                        ? (roll is 3 or 4) ? await CancelAsync(id) : "paid"
                        : "short",
                };
                lock (_outcomes)
                {
                    _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
                }
            }
        }

        public string Describe()
        {
            lock (_outcomes)
            {
                return string.Join(", ", _outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} {o.Key}"));
            }
        }

        private async Task<string> CancelAsync(string id)
        {
            var reply = await api.SendAsync(HttpMethod.Post, $"/api/orders/{id}/cancellation", new { reason = "changed my mind" });
            return reply.Status == HttpStatusCode.Accepted ? "cancelled" : $"cancel-{(int)reply.Status}";
        }
    }
}
