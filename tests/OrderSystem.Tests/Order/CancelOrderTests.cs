using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using MassTransit;
using OrderSystem.Order.Contracts;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Order;

/// <summary>
/// Cancelling an order against the real servers and the simulated logistics system and payment provider: the refund it
/// starts, the shipment that has left, and each module's compensation, once, whatever order the messages come in.
/// </summary>
public sealed class CancelOrderTests : SystemTest
{
    private const int CompensatingModules = 4; // Points, Marketing, Warehouse, Inventory
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(40);
    private static readonly (string, string) AdminKey = ("X-Api-Key", TestSettings.AdminKey);

    [SetUp]
    public Task QuietPartiesAsync() => Simulator.QuietAsync();

    [TearDown]
    public Task QuietPartiesAgainAsync() => Simulator.QuietAsync();

    [Test]
    public async Task A_paid_order_is_cancelled_with_its_refund_which_the_provider_executes_once_and_a_repeat_answers_the_same()
    {
        var order = await PaidAndFulfilledAsync(price: 12.40m, quantity: 2, available: 10);

        var first = await CancelAsync(order.OrderId);
        var again = await CancelAsync(order.OrderId, "another reason");

        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.Accepted), first.ToString());
        Assert.That(first.Json["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
        var refund = first.Json["refund"]!;
        Assert.That(refund["reason"]!.GetValue<string>(), Is.EqualTo("cancellation"));
        Assert.That(refund["paymentId"]!.GetValue<string>(), Is.EqualTo(order.PaymentId));
        Assert.That(refund["amount"]!.GetValue<decimal>(), Is.EqualTo(24.80m));
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.Accepted), again.ToString());
        Assert.That(again.Json["refund"]!["refundId"]!.GetValue<string>(), Is.EqualTo(refund["refundId"]!.GetValue<string>()), "the same refund");

        await Eventually.Until(() => Api.GetAsync($"/api/orders/{order.OrderId}"),
            r => r.Json["refunds"]!.AsArray().SingleOrDefault()?["status"]?.GetValue<string>() == "Succeeded", Timeout, "the refund to succeed");
        var ledger = await Simulator.RefundLedgerAsync(order.PaymentId);
        Assert.That(ledger.Select(e => e.GetProperty("status").GetString()), Is.EqualTo(new[] { "SUCCESS" }));
        Assert.That(ledger[0].GetProperty("amount").GetDecimal(), Is.EqualTo(24.80m));
        Assert.That((await Api.GetAsync($"/api/orders/{order.OrderId}")).Json["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type = @Type", new { Type = typeof(OrderCancelled).FullName }),
            Is.EqualTo(1), "one OrderCancelled");
        await AssertCompensatedAsync(order, available: 10);
        await AssertReconciledAsync();
    }

    [Test]
    public async Task A_shipment_picked_up_refuses_the_cancellation_and_the_order_stays_paid()
    {
        await Simulator.SetAsync("logistics", new { pickupDelayMs = 0 });
        var order = await PaidAndFulfilledAsync();

        var refused = await CancelAsync(order.OrderId);

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Conflict), refused.ToString());
        Assert.That(refused.Json["type"]!.GetValue<string>(), Does.EndWith("/shipment-left"));
        var after = (await Api.GetAsync($"/api/orders/{order.OrderId}")).Json;
        Assert.That(after["status"]!.GetValue<string>(), Is.EqualTo("Paid"));
        Assert.That(after["refunds"]!.AsArray(), Is.Empty);
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type = @Type", new { Type = typeof(OrderCancelled).FullName }),
            Is.Zero);
        Assert.That(await CountAsync("SELECT COUNT(*) FROM warehouse_holds"), Is.Zero, "no hold left on a paid order");
        var shipment = (await Api.GetAsync($"/api/shipments?orderId={order.OrderId}")).Json.AsArray().Single()!;
        Assert.That(shipment["status"]!.GetValue<string>(), Is.EqualTo("PickedUp"));
        Assert.That((await Api.GetAsync($"/api/users/{order.UserId}/points")).Json["balance"]!.GetValue<long>(), Is.EqualTo(9));
        Assert.That(await Simulator.RefundLedgerAsync(order.PaymentId), Is.Empty);
        Assert.That((await CancelAsync(order.OrderId)).Status, Is.EqualTo(HttpStatusCode.Conflict), "and again");
    }

    [Test]
    public async Task An_unpaid_order_is_cancelled_without_a_refund_and_a_payment_after_it_is_refunded()
    {
        var sku = await NewProductAsync(available: 5);
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);

        var cancelled = await CancelAsync(orderId);
        var again = await CancelAsync(orderId);

        Assert.That(cancelled.Status, Is.EqualTo(HttpStatusCode.Accepted), cancelled.ToString());
        Assert.That(cancelled.Json["refund"], Is.Null);
        Assert.That(again.Body, Is.EqualTo(cancelled.Body));
        var payment = Fresh("pay");
        var late = await Api.PayAsync(orderId, payment, total);
        Assert.That(late.Json["type"]!.GetValue<string>(), Does.EndWith("/order-cancelled"), late.ToString());
        await Eventually.Until(() => Simulator.RefundLedgerAsync(payment), l => l.Count == 1 && l[0].GetProperty("status").GetString() == "SUCCESS",
            Timeout, "the stray payment refunded");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type = @Type", new { Type = typeof(OrderCancelled).FullName }),
            Is.Zero, "nothing to compensate");
        Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.EqualTo(5));
    }

    [Test]
    public async Task OrderCancelled_delivered_again_changes_no_compensation()
    {
        var order = await PaidAndFulfilledAsync(available: 10);
        Assert.That((await CancelAsync(order.OrderId)).Status, Is.EqualTo(HttpStatusCode.Accepted));
        await AssertCompensatedAsync(order, available: 10);
        var before = await EffectsAsync(order);
        var (messageId, cancelled) = await StoredOrderCancelledAsync(order.OrderId);
        var newId = NewId.NextGuid();
        var bus = System.Get<IBus>();

        await bus.Publish(cancelled, c => c.MessageId = messageId);
        await bus.Publish(cancelled, c => c.MessageId = newId);

        await Eventually.Until(
            () => Task.FromResult((Same: System.Consumed.Count<OrderCancelled>(messageId), Other: System.Consumed.Count<OrderCancelled>(newId))),
            n => n.Same >= 2 * CompensatingModules && n.Other >= CompensatingModules, Timeout, "both duplicates consumed by the four modules");
        Assert.That((await EffectsAsync(order)).ToJsonString(), Is.EqualTo(before.ToJsonString()));
        Assert.That(await Simulator.LedgerAsync("logistics", Guid.Parse(order.OrderId)), Has.Count.EqualTo(1), "one waybill, cancelled");
        await AssertReconciledAsync(order.OrderId);
    }

    [Test]
    public async Task Points_the_balance_no_longer_holds_are_recorded_as_a_debt()
    {
        var order = await PaidAndFulfilledAsync(price: 30m);
        // The buyer spent 25 of the 30 points (this system has no route for spending yet: written as another module would).
        await ExecuteAsync("INSERT INTO points_entries (order_id, user_id, points, created_at) VALUES (UUID(), @UserId, -25, NOW(6))",
            new { order.UserId });

        Assert.That((await CancelAsync(order.OrderId)).Status, Is.EqualTo(HttpStatusCode.Accepted));

        var points = await Eventually.Until(() => Api.GetAsync($"/api/users/{order.UserId}/points"),
            r => r.Json["reversals"]!.AsArray().Count == 1, Timeout, "the points taken back");
        Assert.That(points.Json["balance"]!.GetValue<long>(), Is.Zero, "never below zero");
        Assert.That(points.Json["debt"]!.GetValue<long>(), Is.EqualTo(25));
        var reversal = points.Json["reversals"]![0]!;
        Assert.That((reversal["granted"]!.GetValue<int>(), reversal["taken"]!.GetValue<int>(), reversal["debt"]!.GetValue<int>()),
            Is.EqualTo((30, 5, 25)));
    }

    [Test]
    public async Task An_OrderPaid_consumed_after_the_OrderCancelled_grants_issues_and_ships_nothing()
    {
        // The cancellation overtakes the payment's message in every module: delivered in that order, by hand.
        var sku = await NewProductAsync(available: 10);
        var user = Fresh("u");
        var (orderId, total) = await NewOrderAsync(user, sku);
        var id = Guid.Parse(orderId);
        var now = DateTime.UtcNow;
        var cancelled = new OrderCancelled(id, user, [], total, "pay-x", "changed my mind", now);
        var paid = new OrderPaid(id, user, [new OrderLine(sku, 1, total)], total, "pay-x", now);
        var (cancelledId, paidId) = (NewId.NextGuid(), NewId.NextGuid());
        var bus = System.Get<IBus>();

        await bus.Publish(cancelled, c => c.MessageId = cancelledId);
        await Eventually.Until(() => Task.FromResult(System.Consumed.Count<OrderCancelled>(cancelledId)), n => n >= CompensatingModules,
            Timeout, "the cancellation consumed first");
        await bus.Publish(paid, c => c.MessageId = paidId);
        await Eventually.Until(() => Task.FromResult(System.Consumed.Count<OrderPaid>(paidId)), n => n >= 4, Timeout, "then the payment");

        var points = (await Api.GetAsync($"/api/users/{user}/points")).Json;
        Assert.That(points["entries"]!.AsArray(), Is.Empty, "no points granted");
        Assert.That(points["balance"]!.GetValue<long>(), Is.Zero);
        Assert.That((await Api.GetAsync($"/api/users/{user}/coupons")).Json.AsArray(), Is.Empty, "no coupon issued");
        Assert.That((await Api.GetAsync($"/api/shipments?orderId={orderId}")).Json.AsArray(), Is.Empty, "no shipment");
        Assert.That(await Simulator.LedgerAsync("logistics", id), Is.Empty, "no waybill asked for");
    }

    [Test]
    public async Task Cancellations_racing_the_OrderPaid_consumers_end_with_everything_undone_once()
    {
        var sku = await NewProductAsync(price: 10m, available: 20);
        var orders = new List<(string UserId, string OrderId, string PaymentId)>();
        for (var i = 0; i < 5; i++)
        {
            var user = Fresh("u");
            var (orderId, total) = await NewOrderAsync(user, sku);
            orders.Add((user, orderId, Fresh("pay")));
            Assert.That((await Api.PayAsync(orderId, orders[^1].PaymentId, total)).Status, Is.EqualTo(HttpStatusCode.OK));
        }

        // At once after each payment: the modules may not have consumed its OrderPaid yet.
        var answers = await Task.WhenAll(orders.Select(o => CancelAsync(o.OrderId)));

        Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.Accepted), string.Join("\n", answers.Select(a => a.ToString())));
        foreach (var (user, orderId, paymentId) in orders)
        {
            await AssertCompensatedAsync(new PaidOrder(user, orderId, paymentId), available: null);
            await Eventually.Until(() => Simulator.RefundLedgerAsync(paymentId), l => l.Count == 1, Timeout, "the refund executed");
        }
        await Eventually.Until(() => Api.GetAsync($"/api/inventory/{sku}"), r => r.Json["available"]!.GetValue<int>() == 20, Timeout,
            "all stock back, once");
        await AssertReconciledAsync([.. orders.Select(o => o.OrderId)]);
    }

    private sealed record PaidOrder(string UserId, string OrderId, string PaymentId);

    private static async Task<PaidOrder> PaidAndFulfilledAsync(decimal price = 9.99m, int quantity = 1, int available = 1000)
    {
        var user = Fresh("u");
        var (orderId, total) = await NewOrderAsync(user, await NewProductAsync(price, available), quantity);
        var payment = Fresh("pay");
        Assert.That((await Api.PayAsync(orderId, payment, total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await WaitUntilFulfilledAsync(orderId);
        return new PaidOrder(user, orderId, payment);
    }

    private static Task<Reply> CancelAsync(string orderId, string reason = "changed my mind") =>
        Api.SendAsync(HttpMethod.Post, $"/api/orders/{orderId}/cancellation", new { reason });

    /// <summary>
    /// Waits until every module undid the order: points taken back (balance 0 for this buyer), coupon revoked if issued,
    /// shipment and waybill cancelled if requested, and the stock back to <paramref name="available"/> (when given).
    /// </summary>
    private static async Task AssertCompensatedAsync(PaidOrder order, int? available)
    {
        var points = await Eventually.Until(() => Api.GetAsync($"/api/users/{order.UserId}/points"),
            r => r.Json["reversals"]!.AsArray().Count == 1, Timeout, "the points taken back");
        Assert.That(points.Json["balance"]!.GetValue<long>(), Is.Zero);
        Assert.That(points.Json["debt"]!.GetValue<long>(), Is.Zero);
        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM marketing_revocations WHERE order_id = @Id", new { Id = order.OrderId }),
            n => n == 1, Timeout, "the coupon revoked");
        var coupons = (await Api.GetAsync($"/api/users/{order.UserId}/coupons")).Json.AsArray();
        Assert.That(coupons.Select(c => c!["status"]!.GetValue<string>()), Is.All.EqualTo("Revoked"));
        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM warehouse_inbox WHERE consumer = 'CancelShipmentOnOrderCancelled'"),
            n => n >= 1, Timeout, "the warehouse's compensation");
        var shipments = (await Api.GetAsync($"/api/shipments?orderId={order.OrderId}")).Json.AsArray();
        Assert.That(shipments.Select(s => s!["status"]!.GetValue<string>()), Is.All.EqualTo("Cancelled"));
        var waybills = await Simulator.LedgerAsync("logistics", Guid.Parse(order.OrderId));
        Assert.That(waybills.Select(w => w.GetProperty("status").GetString()), Is.All.EqualTo("Cancelled"), "the logistics system's own word");
        Assert.That(waybills, Has.Count.EqualTo(shipments.Count));
        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM inventory_returns WHERE order_id = @Id", new { Id = order.OrderId }),
            n => n == 1, Timeout, "the stock given back");
        if (available is { } expected)
        {
            var sku = (await Api.GetAsync($"/api/orders/{order.OrderId}")).Json["items"]![0]!["sku"]!.GetValue<string>();
            Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.EqualTo(expected));
        }
    }

    private static async Task<JsonArray> EffectsAsync(PaidOrder order)
    {
        var sku = (await Api.GetAsync($"/api/orders/{order.OrderId}")).Json["items"]![0]!["sku"]!.GetValue<string>();
        return
        [
            (await Api.GetAsync($"/api/users/{order.UserId}/points")).Json,
            (await Api.GetAsync($"/api/users/{order.UserId}/coupons")).Json,
            (await Api.GetAsync($"/api/shipments?orderId={order.OrderId}")).Json,
            (await Api.GetAsync($"/api/inventory/{sku}")).Json,
        ];
    }

    private static async Task<(Guid MessageId, OrderCancelled Message)> StoredOrderCancelledAsync(string orderId)
    {
        await using var connection = await System.OpenAsync();
        var (messageId, payload) = await connection.QuerySingleAsync<(Guid, string)>(
            "SELECT message_id, payload FROM order_outbox WHERE message_type = @Type AND payload LIKE @Order",
            new { Type = typeof(OrderCancelled).FullName, Order = $"%{orderId}%" });
        return (messageId, JsonSerializer.Deserialize<OrderCancelled>(payload, new JsonSerializerOptions(JsonSerializerDefaults.Web))!);
    }

    /// <summary>Once the refunds of these orders have ended here too (the provider may be a moment ahead), nothing is amiss.</summary>
    private static async Task AssertReconciledAsync(params string[] settledOrders)
    {
        foreach (var orderId in settledOrders)
        {
            await Eventually.Until(() => Api.GetAsync($"/api/orders/{orderId}"),
                r => r.Json["refunds"]!.AsArray().All(x => x!["status"]!.GetValue<string>() == "Succeeded"), Timeout, $"order {orderId}'s refunds to end");
        }
        var audit = await Api.SendRawAsync(HttpMethod.Get, "/api/admin/reconciliation?olderThanSeconds=0", null, AdminKey);
        Assert.That(audit.Status, Is.EqualTo(HttpStatusCode.OK), audit.ToString());
        Assert.That(audit.Json["findings"]!.AsArray().Where(f => f!["check"]!.GetValue<string>() != "fulfillment-incomplete"), Is.Empty,
            audit.ToString());
    }

    private static async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = await System.OpenAsync();
        await connection.ExecuteAsync(sql, args);
    }
}
