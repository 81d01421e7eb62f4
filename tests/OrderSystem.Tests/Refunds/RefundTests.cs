using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MySqlConnector;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Refunds;

/// <summary>
/// Refunds against the real simulated payment provider: each cause creates its refund in its own transaction, the
/// processor takes it to its end, and the provider's own ledger shows each refund executed once.
/// </summary>
public sealed class RefundTests : SystemTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);
    private static readonly (string, string) AdminKey = ("X-Api-Key", TestSettings.AdminKey);

    [TearDown]
    public Task QuietProviderAsync() => Simulator.QuietAsync();

    [Test]
    public async Task A_payment_that_finds_the_stock_short_is_refunded_once_and_the_order_shows_it()
    {
        var sku = await NewProductAsync(price: 12.50m, available: 1);
        var (first, total) = await NewOrderAsync(Fresh("u"), sku);
        var (second, _) = await NewOrderAsync(Fresh("u"), sku);
        Assert.That((await Api.PayAsync(first, P("pay-first"), total)).Status, Is.EqualTo(HttpStatusCode.OK));

        var shortPayment = await Api.PayAsync(second, P("pay-short"), total);

        Assert.That(shortPayment.Status, Is.EqualTo(HttpStatusCode.Conflict), shortPayment.ToString());
        var refund = (await Api.GetAsync($"/api/orders/{second}")).Json["refunds"]!.AsArray().Single()!;
        Assert.That(refund["paymentId"]!.GetValue<string>(), Is.EqualTo(P("pay-short")));
        Assert.That(refund["reason"]!.GetValue<string>(), Is.EqualTo("out-of-stock"));
        Assert.That(refund["amount"]!.GetValue<decimal>(), Is.EqualTo(12.50m));
        await WaitUntilRefundAsync(second, "Succeeded");
        await AssertExecutedOnceAsync(P("pay-short"), 12.50m);
        await AssertReconciledAsync();
    }

    [Test]
    public async Task A_second_payment_for_a_paid_order_is_refunded_once_however_often_the_provider_calls()
    {
        var (orderId, total) = await NewOrderAsync(Fresh("u"), await NewProductAsync());
        Assert.That((await Api.PayAsync(orderId, P("pay-1"), total)).Status, Is.EqualTo(HttpStatusCode.OK));

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Api.PayAsync(orderId, P("pay-2"), total)));

        Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.Conflict));
        Assert.That(answers.Select(a => a.Json["type"]!.GetValue<string>()), Is.All.EndsWith("already-paid"));
        Assert.That(answers.Select(a => a.Json["detail"]!.GetValue<string>()).Distinct().Count(), Is.EqualTo(1), "every replay answers the same");
        await WaitUntilRefundAsync(orderId, "Succeeded");
        await AssertExecutedOnceAsync(P("pay-2"), total);
        Assert.That(await Simulator.RefundLedgerAsync(P("pay-1")), Is.Empty, "the order's own payment is kept");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type LIKE '%OrderRefundRequested'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Payments_after_the_window_and_for_a_cancelled_order_are_each_refunded()
    {
        var sku = await NewProductAsync(price: 5m, available: 1);
        var (expired, total) = await NewOrderAsync(Fresh("u"), sku);
        await ExecuteAsync("UPDATE order_orders SET expires_at = NOW(6) - INTERVAL 1 SECOND WHERE id = @Id", new { Id = expired });
        var (cancelled, _) = await NewOrderAsync(Fresh("u"), sku);
        var (taker, _) = await NewOrderAsync(Fresh("u"), sku);
        Assert.That((await Api.PayAsync(taker, P("pay-taker"), total)).Status, Is.EqualTo(HttpStatusCode.OK));

        Assert.That((await Api.PayAsync(expired, P("late-1"), total)).Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await Api.PayAsync(expired, P("late-2"), total)).Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await Api.PayAsync(cancelled, P("short-1"), total)).Status, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await Api.PayAsync(cancelled, P("after-cancel"), total)).Status, Is.EqualTo(HttpStatusCode.Conflict));

        await WaitUntilRefundAsync(expired, "Succeeded", count: 2);
        await WaitUntilRefundAsync(cancelled, "Succeeded", count: 2);
        foreach (var payment in new[] { P("late-1"), P("late-2"), P("short-1"), P("after-cancel") })
        {
            await AssertExecutedOnceAsync(payment, total);
        }
        Assert.That(await Simulator.RefundLedgerAsync(P("pay-taker")), Is.Empty);
        await AssertReconciledAsync();
    }

    [Test]
    public async Task A_lost_answer_is_resolved_by_asking_the_provider_never_by_a_second_refund()
    {
        await Simulator.SetAsync("payments", new { lostAnswerProbability = 1 });
        var (orderId, total) = await OutOfStockOrderAsync(P("pay-lost"));

        // Every answer to the request is lost; the processor must find the refund by querying under its id.
        await WaitUntilRefundAsync(orderId, "Succeeded");
        await AssertExecutedOnceAsync(P("pay-lost"), total);
    }

    [Test]
    public async Task Refunds_wait_while_the_provider_is_down_and_go_out_once_it_is_back()
    {
        await Simulator.SetAsync("payments", new { down = true });
        var (orderId, total) = await OutOfStockOrderAsync(P("pay-while-down"));
        await Eventually.Until(() => Api.GetAsync($"/api/orders/{orderId}"), r => RefundOf(r)?["status"]?.GetValue<string>() == "Submitted",
            Timeout, "the refund submitted and waiting");
        Assert.That(await Simulator.RefundLedgerAsync(P("pay-while-down")), Is.Empty);

        await Simulator.SetAsync("payments", new { down = false });

        await WaitUntilRefundAsync(orderId, "Succeeded");
        await AssertExecutedOnceAsync(P("pay-while-down"), total);
    }

    [Test]
    public async Task A_closed_refund_moves_no_money_and_its_reissue_under_a_new_id_does_once()
    {
        await Simulator.SetAsync("payments", new { refundClosedProbability = 1 });
        var (orderId, total) = await OutOfStockOrderAsync(P("pay-closed"));
        var closed = await WaitUntilRefundAsync(orderId, "Closed");
        await Simulator.SetAsync("payments", new { refundClosedProbability = 0 });
        var closedId = closed["refundId"]!.GetValue<string>();

        var reissue = await Admin(HttpMethod.Post, $"/api/admin/refunds/{closedId}/reissue");
        var again = await Admin(HttpMethod.Post, $"/api/admin/refunds/{closedId}/reissue");

        Assert.That(reissue.Status, Is.EqualTo(HttpStatusCode.Created), reissue.ToString());
        var newId = reissue.Json["refundId"]!.GetValue<string>();
        Assert.That(newId, Is.Not.EqualTo(closedId));
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(again.Json["refundId"]!.GetValue<string>(), Is.EqualTo(newId), "a second press answers the same reissue");
        await Eventually.Until(() => Api.GetAsync($"/api/orders/{orderId}"),
            r => r.Json["refunds"]!.AsArray().Any(x => x!["refundId"]!.GetValue<string>() == newId && x["status"]!.GetValue<string>() == "Succeeded"),
            Timeout, "the reissued refund to succeed");
        var ledger = await Simulator.RefundLedgerAsync(P("pay-closed"));
        Assert.That(ledger.Select(e => e.GetProperty("status").GetString()), Is.EqualTo(new[] { "CLOSED", "SUCCESS" }));
        Assert.That(ledger[1].GetProperty("amount").GetDecimal(), Is.EqualTo(total));
        Assert.That((await Admin(HttpMethod.Post, $"/api/admin/refunds/{newId}/reissue")).Status, Is.EqualTo(HttpStatusCode.Conflict),
            "only a Closed refund can be reissued");
        await AssertReconciledAsync();
    }

    [Test]
    public async Task An_abnormal_refund_waits_in_manual_review_until_an_operator_resolves_it_with_a_note()
    {
        await Simulator.SetAsync("payments", new { refundAbnormalProbability = 1 });
        var (orderId, _) = await OutOfStockOrderAsync(P("pay-abnormal"));
        var refund = await WaitUntilRefundAsync(orderId, "ManualReview");
        var id = refund["refundId"]!.GetValue<string>();
        var listed = await Admin(HttpMethod.Get, "/api/admin/refunds?status=ManualReview");
        Assert.That(listed.Status, Is.EqualTo(HttpStatusCode.OK), listed.ToString());
        Assert.That(listed.Json.AsArray().Select(r => r!["refundId"]!.GetValue<string>()), Does.Contain(id));
        Assert.That(listed.Json.AsArray().Single()!["note"]!.GetValue<string>(), Does.Contain("ABNORMAL"));

        var noNote = await Admin(HttpMethod.Post, $"/api/admin/refunds/{id}/resolve", "{}");
        var resolved = await Admin(HttpMethod.Post, $"/api/admin/refunds/{id}/resolve", """{"note":"paid back by bank transfer"}""");
        var again = await Admin(HttpMethod.Post, $"/api/admin/refunds/{id}/resolve", """{"note":"paid back by bank transfer"}""");

        Assert.That(noNote.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(resolved.Status, Is.EqualTo(HttpStatusCode.OK), resolved.ToString());
        Assert.That(resolved.Json["status"]!.GetValue<string>(), Is.EqualTo("Resolved"));
        Assert.That(resolved.Json["note"]!.GetValue<string>(), Does.Contain("bank transfer"));
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Admin(HttpMethod.Get, "/api/admin/refunds?status=Sideways")).Status, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_signed_webhook_ends_a_processing_refund_once_and_a_forged_or_unknown_one_changes_nothing()
    {
        await Simulator.SetAsync("payments", new { refundProcessingMs = 600000 }); // the provider keeps it PROCESSING
        var (orderId, _) = await OutOfStockOrderAsync(P("pay-hook"));
        var refund = await WaitUntilRefundAsync(orderId, "Processing");
        var id = refund["refundId"]!.GetValue<string>();
        var body = $$"""{"refundId":"{{id}}","paymentId":"{{P("pay-hook")}}","status":"SUCCESS","completedAt":"2026-12-01T00:00:00Z"}""";

        var unsigned = await Api.SendRawAsync(HttpMethod.Post, "/api/payments/refund-webhook", body);
        var forged = await Api.SendRawAsync(HttpMethod.Post, "/api/payments/refund-webhook", body, ("X-Signature", "sha256=" + new string('0', 64)));
        var unknown = await Webhook($$"""{"refundId":"{{Guid.NewGuid()}}","status":"SUCCESS"}""");
        Assert.That((await Api.GetAsync($"/api/orders/{orderId}")).Json["refunds"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("Processing"));
        var first = await Webhook(body);
        var duplicate = await Webhook(body);

        Assert.That(unsigned.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(forged.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(unknown.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.OK), first.ToString());
        Assert.That(duplicate.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(duplicate.Json["status"]!.GetValue<string>(), Is.EqualTo("Succeeded"));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM refunds_outbox WHERE payload LIKE '%Succeeded%'"), Is.EqualTo(1),
            "one RefundChanged for the one change");
    }

    [Test]
    public void The_database_refuses_refunds_above_the_captured_amount()
    {
        var e = Assert.ThrowsAsync<MySqlException>(async () =>
        {
            await ExecuteAsync("INSERT INTO refunds_payments (payment_id, order_id, captured, refunded) VALUES ('p-over', @Id, 10.00, 10.01)",
                new { Id = Guid.NewGuid() });
        });
        Assert.That(e!.Message, Does.Contain("ck_refunds_payments_within_capture"));
    }

    [Test]
    public async Task Reconciliation_reports_money_that_does_not_add_up()
    {
        var (orderId, total) = await OutOfStockOrderAsync(P("pay-audit"));
        await WaitUntilRefundAsync(orderId, "Succeeded");
        // A refund we think succeeded that the provider never executed, and a cancelled order whose payment has no refund.
        await ExecuteAsync("""
            INSERT INTO refunds_refunds (refund_id, payment_id, order_id, amount, reason, status, requested_at, completed_at, next_attempt_at)
            VALUES (@Id, 'pay-phantom', @Order, 3.00, 'out-of-stock', 'Succeeded', NOW(6) - INTERVAL 1 HOUR, NOW(6) - INTERVAL 1 HOUR, NOW(6))
            """, new { Id = Guid.NewGuid(), Order = orderId });
        await ExecuteAsync("DELETE FROM refunds_payments WHERE payment_id = @P", new { P = P("pay-audit") });

        var audit = await Admin(HttpMethod.Get, "/api/admin/reconciliation?olderThanSeconds=0");

        var checks = audit.Json["findings"]!.AsArray().Select(f => f!["check"]!.GetValue<string>()).ToList();
        Assert.That(checks, Does.Contain("refund-not-executed"));
        Assert.That(checks, Does.Contain("payment-not-refunded"));
        Assert.That(total, Is.GreaterThan(0));
    }

    // Payment ids are unique per run: the provider's ledger outlives the test database.
    private readonly Dictionary<string, string> _payments = [];

    private string P(string name) => _payments.TryGetValue(name, out var id) ? id : _payments[name] = Fresh(name);

    /// <summary>An order whose payment finds the stock gone: cancelled, its payment to be refunded.</summary>
    private static async Task<(string OrderId, decimal Total)> OutOfStockOrderAsync(string paymentId)
    {
        var sku = await NewProductAsync(price: 7.25m, available: 1);
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        var (taker, _) = await NewOrderAsync(Fresh("u"), sku);
        Assert.That((await Api.PayAsync(taker, Fresh("pay"), total)).Status, Is.EqualTo(HttpStatusCode.OK));
        var paid = await Api.PayAsync(orderId, paymentId, total);
        Assert.That(paid.Json["type"]?.GetValue<string>(), Does.EndWith("out-of-stock"), paid.ToString());
        return (orderId, total);
    }

    private static async Task<JsonNode> WaitUntilRefundAsync(string orderId, string status, int count = 1)
    {
        var order = await Eventually.Until(() => Api.GetAsync($"/api/orders/{orderId}"),
            r => r.Json["refunds"] is JsonArray refunds && refunds.Count == count && refunds.All(x => x!["status"]!.GetValue<string>() == status),
            Timeout, $"{count} refund(s) of order {orderId} to be {status}");
        return order.Json["refunds"]![0]!;
    }

    private static JsonNode? RefundOf(Reply order) => order.Json["refunds"]?.AsArray().FirstOrDefault();

    private static async Task AssertExecutedOnceAsync(string paymentId, decimal amount)
    {
        var ledger = await Simulator.RefundLedgerAsync(paymentId);
        Assert.That(ledger, Has.Count.EqualTo(1), $"the provider's ledger for {paymentId}");
        Assert.That(ledger[0].GetProperty("status").GetString(), Is.EqualTo("SUCCESS"));
        Assert.That(ledger[0].GetProperty("amount").GetDecimal(), Is.EqualTo(amount));
    }

    private static async Task AssertReconciledAsync()
    {
        var audit = await Admin(HttpMethod.Get, "/api/admin/reconciliation?olderThanSeconds=0");
        Assert.That(audit.Status, Is.EqualTo(HttpStatusCode.OK), audit.ToString());
        Assert.That(audit.Json["findings"]!.AsArray().Where(f => f!["check"]!.GetValue<string>() != "fulfillment-incomplete"), Is.Empty,
            audit.ToString());
    }

    private static Task<Reply> Admin(HttpMethod method, string path, string? body = null) => Api.SendRawAsync(method, path, body, AdminKey);

    private static Task<Reply> Webhook(string body)
    {
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestSettings.CallbackSecret), Encoding.UTF8.GetBytes(body)));
        return Api.SendRawAsync(HttpMethod.Post, "/api/payments/refund-webhook", body, ("X-Signature", "sha256=" + signature));
    }

    private static async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = await System.OpenAsync();
        await Dapper.SqlMapper.ExecuteAsync(connection, sql, args);
    }
}
