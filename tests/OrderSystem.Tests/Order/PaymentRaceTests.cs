using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Order;

/// <summary>Concurrent callbacks: the database arbitrates, never the timing.</summary>
public sealed class PaymentRaceTests : SystemTest
{
    [Test]
    public async Task More_concurrent_payments_than_stock_sell_exactly_the_stock_and_cancel_the_rest()
    {
        const int stock = 12;
        const int buyers = 40;
        var sku = await NewProductAsync(price: 3m, available: stock);
        var orders = new List<(string OrderId, decimal Total)>();
        for (var i = 0; i < buyers; i++)
        {
            orders.Add(await NewOrderAsync(Fresh("u"), sku));
        }

        var replies = await Task.WhenAll(orders.Select((o, i) => Task.Run(() => Api.PayAsync(o.OrderId, $"pay-{i}", o.Total))));

        var paid = replies.Count(r => r.Status == HttpStatusCode.OK);
        var refused = replies.Where(r => r.Status != HttpStatusCode.OK).ToList();
        Assert.That(paid, Is.EqualTo(stock), string.Join("\n", replies.Select(r => r.ToString())));
        Assert.That(refused, Has.Count.EqualTo(buyers - stock));
        Assert.That(refused.Select(r => (r.Status, r.MediaType, Type: r.Json["type"]!.GetValue<string>())),
            Is.All.EqualTo((HttpStatusCode.Conflict, "application/problem+json", "https://ordersystem.dev/problems/out-of-stock")));
        Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.Zero);
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_orders WHERE status = 'Cancelled'"), Is.EqualTo(buyers - stock));
        Assert.That(await CountAsync("SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i JOIN order_orders o ON o.id = i.order_id WHERE o.status = 'Paid'"),
            Is.EqualTo(stock), "stock at the end = start - what paid orders took");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type LIKE '%OrderRefundRequested'"), Is.EqualTo(buyers - stock));

        foreach (var (orderId, _) in orders.Where((_, i) => replies[i].Status == HttpStatusCode.OK))
        {
            await WaitUntilFulfilledAsync(orderId);
        }
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_entries"), Is.EqualTo(stock));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM warehouse_shipments"), Is.EqualTo(stock));
        await Faults.ExactlyOnce.AssertReconciledAsync(Api);
    }

    [Test]
    public async Task Multi_line_orders_racing_for_two_skus_never_oversell_either()
    {
        var a = await NewProductAsync(price: 2m, available: 7);
        var b = await NewProductAsync(price: 5m, available: 5);
        var orders = new List<(string OrderId, decimal Total)>();
        for (var i = 0; i < 20; i++)
        {
            // Lines in both orders of SKU: the deduction must lock in one order or two payments deadlock.
            var reply = i % 2 == 0 ? await Api.PlaceOrderAsync(Fresh("u"), (a, 1), (b, 1)) : await Api.PlaceOrderAsync(Fresh("u"), (b, 1), (a, 1));
            orders.Add((reply.Json["orderId"]!.GetValue<string>(), reply.Json["totalAmount"]!.GetValue<decimal>()));
        }

        var replies = await Task.WhenAll(orders.Select((o, i) => Task.Run(() => Api.PayAsync(o.OrderId, $"pay-{i}", o.Total))));

        Assert.That(replies.Select(r => r.Status), Is.All.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.Conflict),
            string.Join("\n", replies.Select(r => r.ToString())));
        Assert.That(replies.Count(r => r.Status == HttpStatusCode.OK), Is.EqualTo(5), "b runs out after 5");
        Assert.That((await Api.GetAsync($"/api/inventory/{a}")).Json["available"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That((await Api.GetAsync($"/api/inventory/{b}")).Json["available"]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public async Task The_same_callback_sent_many_times_at_once_pays_once_and_answers_the_same_everywhere()
    {
        const int copies = 25;
        var sku = await NewProductAsync(price: 4.5m, available: 10);
        var user = Fresh("u");
        var (orderId, total) = await NewOrderAsync(user, sku, quantity: 2);

        var replies = await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => Task.Run(() => Api.PayAsync(orderId, "pay-dup", total))));

        Assert.That(replies.Select(r => r.Status), Is.All.EqualTo(HttpStatusCode.OK), string.Join("\n", replies.Select(r => r.ToString())));
        Assert.That(replies.Select(r => r.Body).Distinct().ToList(), Has.Count.EqualTo(1), "every answer has the same body");
        Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.EqualTo(8));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type LIKE '%.OrderPaid'"), Is.EqualTo(1), "one OrderPaid");

        await WaitUntilFulfilledAsync(orderId);
        var order = new { OrderId = orderId };
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_entries WHERE order_id = @OrderId", order), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM marketing_coupons WHERE order_id = @OrderId", order), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms WHERE order_id = @OrderId", order), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM warehouse_shipments WHERE order_id = @OrderId", order), Is.EqualTo(1));
    }
}
