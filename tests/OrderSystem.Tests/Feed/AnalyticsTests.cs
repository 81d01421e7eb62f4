using System.Net;
using Dapper;
using MySqlConnector;
using OrderSystem.Analytics;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Feed;

/// <summary>
/// The reference consumer on a reporting database of its own, as a user with no rights on the order tables: what it
/// builds purely from the feed adds up to what the order tables say.
/// </summary>
[NonParallelizable]
public sealed class AnalyticsTests
{
    private const string User = "os_analytics";
    private const string Password = "analytics-test";

    private TestSystem _system = null!;
    private string _reporting = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _system = await TestSystem.StartAsync("feedanalytics", settings: new Dictionary<string, string>
        {
            ["Orders:PaymentWindowSeconds"] = "3",
            ["Feed:PollMs"] = "20",
        });
        var database = "ordersystem_test_" + TestSettings.Scoped("analytics");
        await using (var admin = new MySqlConnection(TestSettings.ConnectionString("")))
        {
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS `{database}`"); // a constant name
        }
        await AnalyticsDatabase.SetUpAsync(TestSettings.ConnectionString(""), database, User, Password);
        _reporting = new MySqlConnectionStringBuilder(TestSettings.ConnectionString(database)) { UserID = User, Password = Password }.ConnectionString;
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    public async Task The_reporting_user_cannot_read_the_order_tables()
    {
        await using var connection = new MySqlConnection(_reporting);
        await connection.OpenAsync();
        var denied = Assert.ThrowsAsync<MySqlException>(() => connection.ExecuteScalarAsync<long>(
            $"SELECT COUNT(*) FROM `{_system.Database}`.order_orders"));
        Assert.That(denied!.ErrorCode, Is.AnyOf(MySqlErrorCode.TableAccessDenied, MySqlErrorCode.DatabaseAccessDenied), denied.Message);
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM analytics_orders"), Is.GreaterThanOrEqualTo(0),
            "its own tables it can read");
    }

    [Test]
    public async Task Replaying_the_feed_into_the_reporting_database_and_resuming_after_a_restart_gives_the_order_tables_totals()
    {
        await MakeOrdersAsync(paid: 8, scarce: 3, unpaid: 3);
        await WaitUntilTheFeedHasEverythingAsync();
        await RunConsumerUntilIdleAsync();
        await AssertTotalsMatchAsync();

        // A restart: the consumer resumes from the position stored with its rows, and counts nothing twice.
        await MakeOrdersAsync(paid: 5, scarce: 2, unpaid: 2);
        await WaitUntilTheFeedHasEverythingAsync();
        await RunConsumerUntilIdleAsync();
        await AssertTotalsMatchAsync();
    }

    private async Task MakeOrdersAsync(int paid, int scarce, int unpaid)
    {
        var api = _system.Api;
        var plenty = await FeedTests.NewProductAsync(api, 7.25m, 1000);
        var few = await FeedTests.NewProductAsync(api, 3.10m, 1);
        for (var i = 0; i < paid; i++)
        {
            var (id, total) = await FeedTests.PlaceAsync(api, plenty, 1 + i % 3);
            Assert.That((await api.PayAsync(id, $"pay-{id}", total)).Status, Is.EqualTo(HttpStatusCode.OK));
        }
        for (var i = 0; i < scarce; i++)
        {
            var (id, total) = await FeedTests.PlaceAsync(api, few, 1);
            await api.PayAsync(id, $"pay-{id}", total); // the first is paid, the others find the stock short
        }
        for (var i = 0; i < unpaid; i++)
        {
            await FeedTests.PlaceAsync(api, plenty, 1);
        }
    }

    // Every order settled (fulfilled or closed), and the feed sequenced and published all of it.
    private async Task WaitUntilTheFeedHasEverythingAsync()
    {
        await using var connection = await _system.OpenAsync();
        await Eventually.Until(() => connection.ExecuteScalarAsync<long>("""
                SELECT (SELECT COUNT(*) FROM order_orders WHERE status = 'Created')
                     + (SELECT COUNT(*) FROM order_orders o WHERE o.status = 'Paid' AND (SELECT COUNT(*) FROM order_fulfillment f WHERE f.order_id = o.id AND f.status = 'Done') < 4)
                     + (SELECT COUNT(*) FROM order_orders o LEFT JOIN feed_orders f ON f.order_id = o.id
                        WHERE f.order_id IS NULL OR JSON_VALUE(f.state, '$.status') <> o.status)
                     + (SELECT COUNT(*) FROM feed_cursor WHERE published_sequence <> last_sequence)
                     + (SELECT COUNT(*) FROM feed_cursor WHERE source_position < (SELECT MAX(id) FROM order_outbox))
                """), n => n == 0, TimeSpan.FromSeconds(40), "every order settled and the feed caught up");
    }

    private Task RunConsumerUntilIdleAsync() =>
        new AnalyticsConsumer(_reporting, FeedLog.AmqpUri(_system.VirtualHost), TestContext.Progress)
            .RunAsync(TimeSpan.FromSeconds(1), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

    private async Task AssertTotalsMatchAsync()
    {
        await using var orders = await _system.OpenAsync();
        await using var reporting = new MySqlConnection(_reporting);
        await reporting.OpenAsync();
        async Task<string> Rows(MySqlConnection c, string sql) =>
            string.Join("; ", (await c.QueryAsync(sql)).Select(r => string.Join(",", ((IDictionary<string, object>)r).Values)));

        Assert.Multiple(async () =>
        {
            Assert.That(await Rows(reporting, "SELECT status, COUNT(*), SUM(total_amount) FROM analytics_orders GROUP BY status ORDER BY status"),
                Is.EqualTo(await Rows(orders, "SELECT status, COUNT(*), SUM(total_amount) FROM order_orders GROUP BY status ORDER BY status")),
                "orders and money per status");
            Assert.That(await Rows(reporting, "SELECT DATE_FORMAT(hour, '%Y-%m-%d %H:00'), orders_paid, revenue FROM analytics_hourly_revenue ORDER BY hour"),
                Is.EqualTo(await Rows(orders, """
                    SELECT DATE_FORMAT(paid_at, '%Y-%m-%d %H:00'), COUNT(*), SUM(total_amount)
                    FROM order_orders WHERE status = 'Paid' GROUP BY 1 ORDER BY 1
                    """)), "hourly revenue");
            Assert.That(await Rows(reporting, "SELECT sku, units, revenue FROM analytics_sku_sales ORDER BY sku"),
                Is.EqualTo(await Rows(orders, """
                    SELECT i.sku, SUM(i.quantity), SUM(i.quantity * i.unit_price) FROM order_items i JOIN order_orders o ON o.id = i.order_id
                    WHERE o.status = 'Paid' GROUP BY i.sku ORDER BY i.sku
                    """)), "units and revenue per SKU");
            Assert.That(await Rows(reporting, "SELECT COUNT(*), SUM(amount) FROM analytics_refunds"),
                Is.EqualTo(await Rows(orders, "SELECT COUNT(*), SUM(total_amount) FROM order_orders WHERE status = 'Cancelled'")),
                "refunds requested: one per order cancelled for short stock");
        });
    }
}
