using Dapper;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Faults;

/// <summary>Expiry through a host crash, with two hosts, and through a database outage: every due order closed once, on time.</summary>
[Category("Slow")]
public sealed class OrderExpiryFaultTests : SystemTest
{
    [Test]
    public async Task Orders_due_while_the_host_is_down_are_closed_once_within_a_second_of_its_restart()
    {
        var system = await ProcessSystem.CreateAsync("expcrash");
        await using var host = system.Host("expcrash");
        await host.StartAsync();
        var deadline = await SeedDueOrdersAsync(system, count: 300, dueIn: TimeSpan.FromSeconds(3));

        await WaitUntilAsync(deadline - TimeSpan.FromMilliseconds(200)); // the kill is aimed just before the deadline
        await host.KillAsync();
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM order_orders WHERE status = 'Expired'"), Is.Zero,
            "nothing was due before the kill");
        await host.StartAsync();
        var upAt = DateTime.UtcNow;

        await Eventually.Until(() => system.CountAsync("SELECT COUNT(*) FROM order_orders WHERE status = 'Created'"), n => n == 0,
            TimeSpan.FromSeconds(30), "every due order to be closed after the restart");
        var latest = await LatestCloseAsync(system);
        Assert.That(latest - upAt, Is.LessThan(TimeSpan.FromSeconds(1)), "closed within a second of the host being back");
        await AssertEachClosedOnceAsync(system, 300);
    }

    [Test]
    public async Task Two_hosts_close_a_burst_of_due_orders_each_exactly_once()
    {
        const int count = 3000;
        var system = await ProcessSystem.CreateAsync("exppair");
        await using var first = system.Host("exppair-a");
        await using var second = system.Host("exppair-b");
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        var deadline = await SeedDueOrdersAsync(system, count, dueIn: TimeSpan.FromSeconds(2));

        await Eventually.Until(() => system.CountAsync("SELECT COUNT(*) FROM order_orders WHERE status = 'Created'"), n => n == 0,
            TimeSpan.FromSeconds(30), "both hosts to close the burst");

        await AssertEachClosedOnceAsync(system, count);
        var byHost = await Task.WhenAll(ClosedByAsync(first), ClosedByAsync(second));
        Assert.That(byHost.Sum(), Is.EqualTo(count), "the hosts' own counts add up: no order closed twice");
        TestContext.Out.WriteLine($"closed by host a: {byHost[0]}, by host b: {byHost[1]}; last close {(await LatestCloseAsync(system)) - deadline} after the deadline");
    }

    [Test]
    public async Task Orders_due_during_a_database_outage_are_closed_within_a_second_of_its_end()
    {
        var sku = await NewProductAsync();
        var orders = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            orders.Add((await NewOrderAsync(Fresh("u"), sku)).OrderId);
        }
        await using (var connection = await System.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE order_orders SET expires_at = UTC_TIMESTAMP(6) + INTERVAL 2 SECOND WHERE id IN @orders", new { orders });
        }
        await Servers.StopDatabaseAsync();
        DateTime backAt;
        try
        {
            await WaitUntilAsync(DateTime.UtcNow + TimeSpan.FromSeconds(3)); // part of the scenario: the deadlines pass while MariaDB is down
        }
        finally
        {
            await Servers.StartDatabaseAsync();
            backAt = DateTime.UtcNow;
        }

        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM order_orders WHERE status = 'Expired'"), n => n == orders.Count,
            TimeSpan.FromSeconds(30), "the orders that fell due during the outage to be closed");
        await using var db = await System.OpenAsync();
        var latest = await db.ExecuteScalarAsync<DateTime>("SELECT MAX(expired_at) FROM order_orders");
        Assert.That(latest - backAt, Is.LessThan(TimeSpan.FromSeconds(1)), "closed within a second of the database being back");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type LIKE '%OrderExpired'"), Is.EqualTo(orders.Count));
    }

    /// <summary>Unpaid orders with one line each, all due at the same moment, written straight into the database.</summary>
    private static async Task<DateTime> SeedDueOrdersAsync(ProcessSystem system, int count, TimeSpan dueIn)
    {
        var deadline = DateTime.UtcNow + dueIn;
        await using var connection = await system.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO order_orders (id, user_id, status, total_amount, created_at, expires_at)
            SELECT UUID(), CONCAT('exp-', seq), 'Created', 1.00, UTC_TIMESTAMP(6), @Deadline FROM seq_1_to_100000 WHERE seq <= @Count;
            INSERT INTO order_items (order_id, sku, quantity, unit_price) SELECT id, 'SKU-EXP', 1, 1.00 FROM order_orders;
            """, new { Deadline = deadline, Count = count });
        return deadline;
    }

    private static async Task AssertEachClosedOnceAsync(ProcessSystem system, int count)
    {
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM order_orders WHERE status = 'Expired'"), Is.EqualTo(count));
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type LIKE '%OrderExpired'"), Is.EqualTo(count),
            "one OrderExpired per order");
        Assert.That(await system.CountAsync(
            "SELECT COUNT(DISTINCT JSON_VALUE(payload, '$.orderId')) FROM order_outbox WHERE message_type LIKE '%OrderExpired'"), Is.EqualTo(count));
    }

    private static async Task<DateTime> LatestCloseAsync(ProcessSystem system)
    {
        await using var connection = await system.OpenAsync();
        return await connection.ExecuteScalarAsync<DateTime>("SELECT MAX(expired_at) FROM order_orders");
    }

    /// <summary>The host's own count of the orders it expired, from its Prometheus scrape.</summary>
    private static async Task<long> ClosedByAsync(HostProcess host)
    {
        var scrape = await host.Api.GetAsync("/metrics");
        var line = scrape.Body.Split('\n').FirstOrDefault(l => l.StartsWith("ordersystem_orders_expired_total", StringComparison.Ordinal));
        return line is null ? 0 : (long)double.Parse(line.Split(' ')[^1], global::System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitUntilAsync(DateTime moment)
    {
        var wait = moment - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
