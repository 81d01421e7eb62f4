using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Operations;

public sealed class OperatorEndpointTests : SystemTest
{
    private static readonly (string, string) AdminKey = ("X-Api-Key", TestSettings.AdminKey);

    [Test]
    public async Task Reconciliation_is_empty_after_orders_are_paid_fulfilled_and_refused_for_stock()
    {
        var sku = await NewProductAsync(available: 3);
        var (paid, total) = await NewOrderAsync(Fresh("u"), sku, quantity: 3);
        var (late, lateTotal) = await NewOrderAsync(Fresh("u"), sku);
        Assert.That((await Api.PayAsync(paid, "pay-1", total)).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Api.PayAsync(late, "pay-2", lateTotal)).Status, Is.EqualTo(HttpStatusCode.Conflict));
        await WaitUntilFulfilledAsync(paid);

        var audit = await Admin(HttpMethod.Get, "/api/admin/reconciliation?olderThanSeconds=0");

        Assert.That(audit.Status, Is.EqualTo(HttpStatusCode.OK), audit.ToString());
        Assert.That(audit.Json["findings"]!.AsArray(), Is.Empty, audit.Body);
    }

    [Test]
    public async Task Reconciliation_reports_an_overdue_fulfillment_a_stock_mismatch_and_a_duplicate_announcement()
    {
        var sku = await NewProductAsync(available: 10);
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku, quantity: 2);
        Assert.That((await Api.PayAsync(orderId, "pay-1", total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await WaitUntilFulfilledAsync(orderId);
        // Break each invariant by hand, as a bug or a lost message would.
        var stuck = Guid.NewGuid();
        await CountAsync("""
            INSERT INTO order_orders (id, user_id, status, total_amount, payment_id, created_at, paid_at, expires_at)
            VALUES (@stuck, 'u-stuck', 'Paid', 1.00, 'pay-stuck', UTC_TIMESTAMP(6) - INTERVAL 2 HOUR, UTC_TIMESTAMP(6) - INTERVAL 1 HOUR,
                    UTC_TIMESTAMP(6) - INTERVAL 90 MINUTE)
            """, new { stuck });
        await CountAsync("UPDATE inventory_products SET deducted = deducted + 1 WHERE sku = @sku", new { sku });
        await CountAsync("""
            INSERT INTO points_outbox (message_id, message_type, payload, created_at, dispatched_at)
            SELECT UUID(), 'OrderSystem.Points.Contracts.PointsGranted', JSON_OBJECT('orderId', @orderId), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)
            FROM seq_1_to_2
            """, new { orderId });

        var findings = (await Admin(HttpMethod.Get, "/api/admin/reconciliation")).Json["findings"]!.AsArray()
            .Select(f => (Check: f!["check"]!.GetValue<string>(), Subject: f["subject"]!.GetValue<string>())).ToList();

        Assert.That(findings, Is.EquivalentTo(new[]
        {
            ("fulfillment-incomplete", stuck.ToString()), ("stock-mismatch", sku), ("duplicate-announcement", orderId),
        }));
    }

    [Test]
    public async Task A_failed_outbox_row_is_listed_and_a_retry_sends_it_once()
    {
        var sku = await NewProductAsync(available: 10);
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        Assert.That((await Api.PayAsync(orderId, "pay-1", total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await WaitUntilFulfilledAsync(orderId);
        // A row the relay cannot publish (its type is unknown), as after a bad deploy; it must not block the others.
        var poison = Guid.NewGuid();
        await CountAsync("INSERT INTO order_outbox (message_id, message_type, payload, created_at) VALUES (@poison, 'Nope.Unknown', '{}', UTC_TIMESTAMP(6))",
            new { poison });
        await Eventually.Until(() => Admin(HttpMethod.Get, "/api/admin/outbox?state=failed"),
            r => r.Json["items"]!.AsArray().Count == 1, TimeSpan.FromSeconds(30), "the poison row to be listed as failed");
        var failed = (await Admin(HttpMethod.Get, "/api/admin/outbox?state=failed")).Json["items"]![0]!;
        Assert.That(failed["messageId"]!.GetValue<Guid>(), Is.EqualTo(poison));
        Assert.That(failed["module"]!.GetValue<string>(), Is.EqualTo("order"));
        Assert.That(failed["lastError"]!.GetValue<string>(), Does.Contain("Nope.Unknown"));
        Assert.That((await Admin(HttpMethod.Get, "/api/admin/outbox?state=pending")).Json["items"]!.AsArray(), Is.Empty);

        // A retry clears the backoff and the error; the row is tried again at once (and fails again while still broken).
        var retry = await Admin(HttpMethod.Post, $"/api/admin/outbox/{poison}/retry");
        Assert.That(retry.Status, Is.EqualTo(HttpStatusCode.Accepted), retry.ToString());
        Assert.That(retry.Json["module"]!.GetValue<string>(), Is.EqualTo("order"));

        // "Fixed": the operator rewrites the row into a real OrderPaid of another paid order; the relay then sends it.
        var (second, secondTotal) = await NewOrderAsync(Fresh("u"), sku);
        Assert.That((await Api.PayAsync(second, "pay-2", secondTotal)).Status, Is.EqualTo(HttpStatusCode.OK));
        await WaitUntilFulfilledAsync(second);
        await CountAsync("""
            UPDATE order_outbox p JOIN (SELECT message_type, payload FROM order_outbox
                WHERE message_type LIKE '%.OrderPaid' AND payload LIKE CONCAT('%', @second, '%')) s
            SET p.message_type = s.message_type, p.payload = s.payload WHERE p.message_id = @poison
            """, new { second, poison });
        Assert.That((await Admin(HttpMethod.Post, $"/api/admin/outbox/{poison}/retry")).Status,
            Is.EqualTo(HttpStatusCode.Accepted).Or.EqualTo(HttpStatusCode.Conflict), "the relay may have sent it already");

        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM order_outbox WHERE dispatched_at IS NULL"), n => n == 0,
            TimeSpan.FromSeconds(30), "the retried row to be dispatched");
        Assert.That((await Admin(HttpMethod.Post, $"/api/admin/outbox/{poison}/retry")).Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await Admin(HttpMethod.Post, $"/api/admin/outbox/{Guid.NewGuid()}/retry")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        // The republished OrderPaid of an already fulfilled order changed nothing.
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_entries"), Is.EqualTo(2));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM warehouse_shipments"), Is.EqualTo(2));
    }

    [Test]
    public async Task Retention_deletes_only_old_dispatched_outbox_rows_and_old_inbox_rows_in_batches()
    {
        // 1,200 old dispatched rows (more than two batches of 500), 3 old undispatched, 5 recent dispatched.
        await CountAsync("""
            INSERT INTO points_outbox (message_id, message_type, payload, created_at, dispatched_at)
            SELECT UUID(), 'T', '{}', UTC_TIMESTAMP(6) - INTERVAL 30 DAY, UTC_TIMESTAMP(6) - INTERVAL 30 DAY FROM seq_1_to_1200
            """);
        await CountAsync("INSERT INTO points_outbox (message_id, message_type, payload, created_at) SELECT UUID(), 'T', '{}', UTC_TIMESTAMP(6) - INTERVAL 30 DAY FROM seq_1_to_3");
        await CountAsync("INSERT INTO points_outbox (message_id, message_type, payload, created_at, dispatched_at) SELECT UUID(), 'T', '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_5");
        await CountAsync("INSERT INTO warehouse_inbox (message_id, consumer, processed_at) SELECT UUID(), 'C', UTC_TIMESTAMP(6) - INTERVAL 30 DAY FROM seq_1_to_700");
        await CountAsync("INSERT INTO warehouse_inbox (message_id, consumer, processed_at) SELECT UUID(), 'C', UTC_TIMESTAMP(6) FROM seq_1_to_4");

        var run = await Admin(HttpMethod.Post, "/api/admin/retention/run");

        Assert.That(run.Status, Is.EqualTo(HttpStatusCode.OK), run.ToString());
        var deleted = run.Json.AsArray().ToDictionary(r => r!["table"]!.GetValue<string>(), r => r!["deleted"]!.GetValue<long>());
        Assert.That(deleted["points_outbox"], Is.EqualTo(1200));
        Assert.That(deleted["warehouse_inbox"], Is.EqualTo(700));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_outbox WHERE dispatched_at IS NULL"), Is.EqualTo(3), "undispatched rows are never deleted");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_outbox WHERE dispatched_at IS NOT NULL"), Is.EqualTo(5));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM warehouse_inbox"), Is.EqualTo(4));
    }

    private static Task<Reply> Admin(HttpMethod method, string path) => Api.SendRawAsync(method, path, null, AdminKey);
}
