using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Messaging;

[Category("Slow")] // RabbitMQ stopped and its consumers back
public sealed class BrokerOutageTests : SystemTest
{
    [Test]
    public async Task Payments_taken_while_RabbitMQ_is_down_are_delivered_once_it_is_back()
    {
        var sku = await NewProductAsync(available: 100);
        var user = Fresh("u");
        var orders = new List<string>();
        await Servers.StopBrokerAsync();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var (orderId, total) = await NewOrderAsync(user, sku);
                var paid = await Api.PayAsync(orderId, $"pay-{i}", total);
                Assert.That(paid.Status, Is.EqualTo(HttpStatusCode.OK), "the outbox buffers payments while the broker is down");
                orders.Add(orderId);
            }
            Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE dispatched_at IS NULL"), Is.EqualTo(5));
        }
        finally
        {
            await Servers.StartBrokerAsync();
        }

        foreach (var orderId in orders)
        {
            await WaitUntilFulfilledAsync(orderId, seconds: 90);
        }
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE dispatched_at IS NULL"), Is.Zero);
        var points = (await Api.GetAsync($"/api/users/{user}/points")).Json;
        Assert.That(points["entries"]!.AsArray(), Has.Count.EqualTo(5));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM warehouse_shipments"), Is.EqualTo(5));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms"), Is.EqualTo(5));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM marketing_coupons"), Is.EqualTo(5));
        await Faults.ExactlyOnce.AssertReconciledAsync(Api);
    }
}
