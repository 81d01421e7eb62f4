using System.Net;
using Dapper;
using OrderSystem.Order.Expiry;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Order;

/// <summary>Unpaid orders close when their payment window ends; payment and expiry never both win.</summary>
public sealed class OrderExpiryTests : SystemTest
{
    [Test]
    public async Task A_new_order_shows_a_payment_window_of_the_configured_length()
    {
        var sku = await NewProductAsync();

        var created = (await Api.PlaceOrderAsync(Fresh("u"), (sku, 1))).Json;
        var order = (await Api.GetAsync($"/api/orders/{created["orderId"]}")).Json;

        var window = created["expiresAt"]!.GetValue<DateTime>() - created["createdAt"]!.GetValue<DateTime>();
        Assert.That(window, Is.EqualTo(TimeSpan.FromSeconds(1800)), "Orders:PaymentWindowSeconds defaults to 1800");
        Assert.That(order["expiresAt"]!.GetValue<DateTime>(), Is.EqualTo(created["expiresAt"]!.GetValue<DateTime>()));
        Assert.That(order["expiredAt"], Is.Null, "not expired");
    }

    [Test]
    public async Task An_unpaid_order_is_closed_as_Expired_within_a_second_of_its_deadline_and_announced_once()
    {
        var sku = await NewProductAsync(available: 10);
        var (orderId, _) = await NewOrderAsync(Fresh("u"), sku, quantity: 3);
        var deadline = await SetDeadlineAsync(orderId, TimeSpan.FromSeconds(1));

        var order = await Eventually.Until(() => Api.GetAsync($"/api/orders/{orderId}"),
            r => r.Json["status"]!.GetValue<string>() == "Expired", TimeSpan.FromSeconds(10), "the order to expire");

        var expiredAt = order.Json["expiredAt"]!.GetValue<DateTime>();
        Assert.That(expiredAt, Is.GreaterThanOrEqualTo(deadline));
        Assert.That(expiredAt - deadline, Is.LessThan(TimeSpan.FromSeconds(1)), "closed within a second of expiresAt");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type LIKE '%OrderExpired' AND payload LIKE @Id",
            new { Id = $"%{orderId}%" }), Is.EqualTo(1));
        Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.EqualTo(10), "nothing was deducted");
    }

    [Test]
    public async Task A_payment_for_an_expired_order_gets_order_expired_and_its_refund_is_requested_once()
    {
        var sku = await NewProductAsync(price: 4m, available: 10);
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        await SetDeadlineAsync(orderId, TimeSpan.FromMilliseconds(-1));
        await Eventually.Until(() => Api.GetAsync($"/api/orders/{orderId}"), r => r.Json["status"]!.GetValue<string>() == "Expired",
            TimeSpan.FromSeconds(10), "the closer to expire the order");

        var first = await Api.PayAsync(orderId, "pay-late", total);
        var replay = await Api.PayAsync(orderId, "pay-late", total);

        foreach (var reply in new[] { first, replay })
        {
            Assert.That((reply.Status, reply.MediaType), Is.EqualTo((HttpStatusCode.Conflict, "application/problem+json")), reply.ToString());
            Assert.That(reply.Json["type"]!.GetValue<string>(), Is.EqualTo("https://ordersystem.dev/problems/order-expired"));
        }
        Assert.That(await RefundRequestsAsync(orderId), Is.EqualTo(new[] { ("pay-late", "order-expired") }), "one refund, for the one payment");
        Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.EqualTo(10));
    }

    [Test]
    public async Task Payments_racing_the_deadline_either_pay_or_expire_each_order_never_both()
    {
        const int orders = 40;
        var sku = await NewProductAsync(price: 2m, available: orders);
        var placed = new List<(string OrderId, decimal Total)>();
        for (var i = 0; i < orders; i++)
        {
            placed.Add(await NewOrderAsync(Fresh("u"), sku));
        }
        var deadline = await SetDeadlineAsync(placed.Select(o => o.OrderId), TimeSpan.FromSeconds(2));

        // Each payment lands within 50 ms either side of the shared deadline.
        var random = new Random(7);
        var replies = await Task.WhenAll(placed.Select((o, i) => Task.Run(async () =>
        {
            var at = deadline + TimeSpan.FromMilliseconds(random.Next(-50, 51));
            var wait = at - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait); // not a wait for a condition: the payment is aimed at a moment
            }
            return await Api.PayAsync(o.OrderId, $"pay-{i}", o.Total);
        })));
        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM order_orders WHERE status = 'Created'"), n => n == 0,
            TimeSpan.FromSeconds(10), "every order to be paid or expired");

        var paid = 0;
        for (var i = 0; i < orders; i++)
        {
            var id = new { Id = placed[i].OrderId, Like = $"%{placed[i].OrderId}%" };
            var status = await ScalarAsync<string>("SELECT status FROM order_orders WHERE id = @Id", id);
            var events = await ScalarAsync<string>(
                "SELECT COALESCE(GROUP_CONCAT(SUBSTRING_INDEX(message_type, '.', -1) ORDER BY message_type), '') FROM order_outbox WHERE payload LIKE @Like " +
                "AND SUBSTRING_INDEX(message_type, '.', -1) IN ('OrderPaid', 'OrderExpired', 'OrderRefundRequested')", id);
            if (replies[i].Status == HttpStatusCode.OK)
            {
                paid++;
                Assert.That((status, events), Is.EqualTo(("Paid", "OrderPaid")), replies[i].ToString());
            }
            else
            {
                Assert.That(replies[i].Json["type"]!.GetValue<string>(), Is.EqualTo("https://ordersystem.dev/problems/order-expired"), replies[i].ToString());
                Assert.That((status, events), Is.EqualTo(("Expired", "OrderExpired,OrderRefundRequested")), $"order {i}");
            }
        }
        Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.EqualTo(orders - paid),
            "only paid orders deducted stock");
        TestContext.Out.WriteLine($"{paid} paid, {orders - paid} expired");
    }

    [Test]
    public async Task The_expiry_queries_read_the_due_index_and_no_more_rows_than_they_close()
    {
        var sku = await NewProductAsync(available: 100_000);
        // Many unpaid orders far from their deadline, a few due: the closer's reads must not grow with the first.
        await using var connection = await System.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO order_orders (id, user_id, status, total_amount, created_at, expires_at)
            SELECT UUID(), CONCAT('far-', seq), 'Created', 1.00, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 HOUR FROM seq_1_to_3000
            """);
        await connection.ExecuteAsync("ANALYZE TABLE order_orders");
        var now = DateTime.UtcNow;

        foreach (var (name, sql) in new[]
        {
            ("next deadline", CloseDueOrders.NextDueSql),
            ("claim", CloseDueOrders.ClaimDueSql),
        })
        {
            var plan = (await connection.QueryAsync("EXPLAIN " + sql, new { Now = now, Batch = 500 })).Cast<IDictionary<string, object>>().Single();
            Assert.That(plan["key"], Is.EqualTo("ix_order_orders_due"), $"{name}: {string.Join(", ", plan)}");
            Assert.That(plan["type"], Is.EqualTo("range").Or.EqualTo("ref"), name);
            Assert.That(plan["Extra"]?.ToString() ?? "", Does.Not.Contain("filesort"), name);
        }
        var itemsPlan = (await connection.QueryAsync("EXPLAIN " + CloseDueOrders.ItemsSql, new { Ids = new[] { Guid.NewGuid(), Guid.NewGuid() } }))
            .Cast<IDictionary<string, object>>().Single();
        Assert.That(itemsPlan["key"], Is.EqualTo("PRIMARY"), string.Join(", ", itemsPlan));

        // Rows actually read: the idle look at the next deadline reads one index entry, not the 3,000 pending orders.
        Assert.That(await RowsReadAsync(connection, CloseDueOrders.NextDueSql, new { Now = now }), Is.LessThanOrEqualTo(2));
        Assert.That(await RowsReadAsync(connection, CloseDueOrders.ClaimDueSql.Replace("FOR UPDATE SKIP LOCKED", ""), new { Now = now, Batch = 500 }),
            Is.LessThanOrEqualTo(2), "nothing due: the claim reads at most the boundary");
        _ = sku;
    }

    private static async Task<long> RowsReadAsync(MySqlConnector.MySqlConnection connection, string sql, object args)
    {
        await connection.ExecuteAsync("FLUSH STATUS");
        await connection.QueryAsync(sql, args);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT SUM(VARIABLE_VALUE) FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME LIKE 'HANDLER_READ%'");
    }

    private static Task<DateTime> SetDeadlineAsync(string orderId, TimeSpan fromNow) => SetDeadlineAsync([orderId], fromNow);

    private static async Task<DateTime> SetDeadlineAsync(IEnumerable<string> orderIds, TimeSpan fromNow)
    {
        var deadline = DateTime.UtcNow + fromNow;
        deadline = new DateTime(deadline.Ticks - deadline.Ticks % 10, DateTimeKind.Utc); // microseconds, as stored
        await using var connection = await System.OpenAsync();
        await connection.ExecuteAsync("UPDATE order_orders SET expires_at = @Deadline WHERE id IN @Ids", new { Deadline = deadline, Ids = orderIds.ToList() });
        return deadline;
    }

    private static async Task<(string, string)[]> RefundRequestsAsync(string orderId)
    {
        await using var connection = await System.OpenAsync();
        var payloads = await connection.QueryAsync<string>(
            "SELECT payload FROM order_outbox WHERE message_type LIKE '%OrderRefundRequested' AND payload LIKE @Like", new { Like = $"%{orderId}%" });
        return [.. payloads.Select(p => global::System.Text.Json.Nodes.JsonNode.Parse(p)!)
            .Select(j => (j["paymentId"]!.GetValue<string>(), j["reason"]!.GetValue<string>()))];
    }

    private static async Task<T> ScalarAsync<T>(string sql, object args)
    {
        await using var connection = await System.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, args))!;
    }
}
