using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Order;

public sealed class PaymentFlowTests : SystemTest
{
    [Test]
    public async Task Placing_an_order_prices_it_from_inventory()
    {
        var sku = await NewProductAsync(price: 9.99m);

        var reply = await Api.PlaceOrderAsync("u-1", (sku, 2));

        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.Created), reply.ToString());
        var order = reply.Json;
        Assert.That(reply.Location!.ToString(), Is.EqualTo($"/api/orders/{order["orderId"]}"));
        Assert.That(order["status"]!.GetValue<string>(), Is.EqualTo("Created"));
        Assert.That(order["totalAmount"]!.GetValue<decimal>(), Is.EqualTo(19.98m));
        Assert.That(order["items"]![0]!["unitPrice"]!.GetValue<decimal>(), Is.EqualTo(9.99m));
    }

    [Test]
    public async Task Paying_an_order_completes_points_coupon_sms_and_shipment_exactly_once()
    {
        var sku = await NewProductAsync(price: 9.99m, available: 10);
        var user = Fresh("u");
        var (orderId, total) = await NewOrderAsync(user, sku, quantity: 2);

        var paid = await Api.PayAsync(orderId, "pay-1", total);

        Assert.That(paid.Status, Is.EqualTo(HttpStatusCode.OK), paid.ToString());
        Assert.That(paid.Json["status"]!.GetValue<string>(), Is.EqualTo("Paid"));
        Assert.That(paid.Json["paymentId"]!.GetValue<string>(), Is.EqualTo("pay-1"));
        var stock = await Api.GetAsync($"/api/inventory/{sku}");
        Assert.That(stock.Json["available"]!.GetValue<int>(), Is.EqualTo(8));

        var order = await WaitUntilFulfilledAsync(orderId);
        Assert.That(order.Json["status"]!.GetValue<string>(), Is.EqualTo("Paid"));

        var points = (await Api.GetAsync($"/api/users/{user}/points")).Json;
        Assert.That(points["balance"]!.GetValue<long>(), Is.EqualTo(19), "1 point per whole unit of 19.98");
        Assert.That(points["entries"]!.AsArray(), Has.Count.EqualTo(1));
        var coupons = (await Api.GetAsync($"/api/users/{user}/coupons")).Json.AsArray();
        Assert.That(coupons, Has.Count.EqualTo(1));
        Assert.That(coupons[0]!["value"]!.GetValue<decimal>(), Is.EqualTo(1.00m), "5% of 19.98 is below the 1.00 minimum");
        var sms = (await Api.GetAsync($"/api/users/{user}/sms")).Json.AsArray();
        Assert.That(sms, Has.Count.EqualTo(1));
        Assert.That(sms[0]!["text"]!.GetValue<string>(), Does.Contain(orderId));
        var shipments = (await Api.GetAsync($"/api/shipments?orderId={orderId}")).Json.AsArray();
        Assert.That(shipments, Has.Count.EqualTo(1));
        Assert.That(shipments[0]!["trackingNumber"]!.GetValue<string>(), Does.StartWith("TRK"));
    }

    [Test]
    public async Task Replaying_the_same_payment_callback_answers_the_same_body_and_changes_nothing()
    {
        var sku = await NewProductAsync(available: 10);
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        var first = await Api.PayAsync(orderId, "pay-once", total);
        await WaitUntilFulfilledAsync(orderId);
        var before = await SettledChecksumAsync(); // the feed sequences the steps' rows a moment after they are Done

        var again = await Api.PayAsync(orderId, "pay-once", total);

        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), again.ToString());
        Assert.That(again.Body, Is.EqualTo(first.Body));
        await using var connection = await System.OpenAsync();
        Assert.That(await DatabaseChecksum.OfAsync(connection), Is.EqualTo(before));
        Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.EqualTo(9));
    }

    [Test]
    public async Task Paying_when_stock_ran_out_cancels_the_order_and_requests_a_refund()
    {
        var sku = await NewProductAsync(price: 5m, available: 1);
        var (first, total) = await NewOrderAsync(Fresh("u"), sku);
        var (second, _) = await NewOrderAsync(Fresh("u"), sku);
        Assert.That((await Api.PayAsync(first, "pay-a", total)).Status, Is.EqualTo(HttpStatusCode.OK));

        var reply = await Api.PayAsync(second, "pay-b", total);

        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.Conflict), reply.ToString());
        Assert.That(reply.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(reply.Json["type"]!.GetValue<string>(), Does.EndWith("/out-of-stock"));
        var order = (await Api.GetAsync($"/api/orders/{second}")).Json;
        Assert.That(order["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
        Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.EqualTo(0));
        Assert.That(await CountAsync(
            "SELECT COUNT(*) FROM order_outbox WHERE message_type = 'OrderSystem.Order.Contracts.OrderRefundRequested' AND payload LIKE @Id",
            new { Id = $"%{second}%" }), Is.EqualTo(1));
        Assert.That(await CountAsync(
            "SELECT COUNT(*) FROM order_outbox WHERE message_type = 'OrderSystem.Order.Contracts.OrderPaid' AND payload LIKE @Id",
            new { Id = $"%{second}%" }), Is.Zero, "a cancelled order must not announce a payment");
        await WaitUntilFulfilledAsync(first);
    }
}
