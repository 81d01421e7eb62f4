using System.Diagnostics;
using System.Net;
using MassTransit;
using OrderSystem.Order.Contracts;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Faults;

[Category("Slow")] // MariaDB stopped and started twice
public sealed class DatabaseOutageTests : SystemTest
{
    private const int ConsumingModules = 4; // Points, Marketing, Push and Warehouse consume OrderPaid

    [Test]
    public async Task While_MariaDB_is_down_every_endpoint_answers_503_at_once_and_payments_work_again_when_it_is_back()
    {
        var sku = await NewProductAsync(available: 10);
        var user = Fresh("u");
        var (warm, warmTotal) = await NewOrderAsync(user, sku);
        Assert.That((await Api.PayAsync(warm, "pay-warm", warmTotal)).Status, Is.EqualTo(HttpStatusCode.OK));
        await WaitUntilFulfilledAsync(warm); // the pools now hold connections that the outage will break
        var (orderId, total) = await NewOrderAsync(user, sku);

        var requests = new (string Name, Func<Task<Reply>> Send)[]
        {
            ("pay", () => Api.PayAsync(orderId, "pay-1", total)),
            ("get order", () => Api.GetAsync($"/api/orders/{orderId}")),
            ("place order", () => Api.PlaceOrderAsync(user, (sku, 1))),
            ("get product", () => Api.GetAsync($"/api/inventory/{sku}")),
            ("put product", () => Api.PutProductAsync(sku, 1m, 1)),
            ("points", () => Api.GetAsync($"/api/users/{user}/points")),
            ("shipments", () => Api.GetAsync($"/api/shipments?orderId={orderId}")),
        };
        await Servers.StopDatabaseAsync();
        try
        {
            for (var round = 0; round < 2; round++)
            {
                foreach (var (name, send) in requests)
                {
                    var clock = Stopwatch.StartNew();
                    var reply = await send();
                    Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), $"{name}: {reply}");
                    Assert.That(reply.MediaType, Is.EqualTo("application/problem+json"), name);
                    // Not a performance figure: a request that hangs on a dead database is the bug this guards against.
                    Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), $"{name} must not hang");
                }
            }
        }
        finally
        {
            await Servers.StartDatabaseAsync();
        }

        // The provider retries its callback until it gets an answer other than 503.
        var paid = await Eventually.Until(() => Api.PayAsync(orderId, "pay-1", total), r => r.Status != HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(60), "the payment callback to be served again");
        Assert.That(paid.Status, Is.EqualTo(HttpStatusCode.OK), paid.ToString());
        await WaitUntilFulfilledAsync(orderId, seconds: 60); // relay and consumers recovered too
        Assert.That((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(), Is.EqualTo(8));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_entries"), Is.EqualTo(2));
        await ExactlyOnce.AssertReconciledAsync(Api);
    }

    [Test]
    public async Task An_OrderPaid_consumed_while_MariaDB_is_down_waits_for_it_and_has_its_effects_once()
    {
        var paid = new OrderPaid(Guid.NewGuid(), Fresh("u"), [new OrderLine("SKU-1", 1, 30m)], 30m, "pay-1", DateTime.UtcNow);
        var messageId = NewId.NextGuid();
        await Servers.StopDatabaseAsync();
        try
        {
            await System.Get<IBus>().Publish(paid, context => context.MessageId = messageId);
            await Eventually.Until(() => Task.FromResult(System.Get<DeliveriesInHand>().Count), n => n >= ConsumingModules,
                TimeSpan.FromSeconds(30), "the four consuming modules to take the OrderPaid while MariaDB is down");
            // Not a wait: the outage lasts past one outage retry (every 2 s) and far past the short retries (4 x 20 ms here).
            await Task.Delay(TimeSpan.FromSeconds(2.5));
        }
        finally
        {
            await Servers.StartDatabaseAsync();
        }

        var order = new { paid.OrderId };
        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM warehouse_shipments WHERE order_id = @OrderId", order), n => n == 1,
            TimeSpan.FromSeconds(60), "the shipment once MariaDB is back");
        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM order_fulfillment WHERE order_id = @OrderId AND status = 'Done'", order),
            n => n == 4, TimeSpan.FromSeconds(60), "all four completions recorded");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_entries WHERE order_id = @OrderId", order), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM marketing_coupons WHERE order_id = @OrderId", order), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms WHERE order_id = @OrderId", order), Is.EqualTo(1));
        foreach (var queue in new[] { "points", "marketing", "push", "warehouse", "order" })
        {
            Assert.That(await RabbitManagement.MessageCountAsync(System.VirtualHost, queue + "_error"), Is.Zero, $"{queue}_error");
        }
    }
}
