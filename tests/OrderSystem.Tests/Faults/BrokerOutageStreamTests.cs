using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Faults;

[Category("Slow")] // RabbitMQ stopped and its consumers back
public sealed class BrokerOutageStreamTests : SystemTest
{
    [Test]
    public async Task A_stream_of_payments_across_a_RabbitMQ_outage_all_succeed_and_every_effect_arrives_once_after_it_restarts()
    {
        const int payments = 60;
        var sku = await NewProductAsync(price: 2.5m, available: 1000);
        var orders = new List<(string OrderId, decimal Total)>();
        for (var i = 0; i < payments; i++)
        {
            orders.Add(await NewOrderAsync(Fresh("u"), sku, quantity: 1 + i % 2));
        }

        // The stream: 4 callers paying one order after another, while the broker goes down under them.
        var next = -1;
        var replies = new Reply[payments];
        var brokerDown = new TaskCompletionSource();
        async Task PayStreamAsync()
        {
            for (int i; (i = Interlocked.Increment(ref next)) < payments;)
            {
                if (i >= payments / 2)
                {
                    await brokerDown.Task; // the second half is paid while the broker is certainly down
                }
                replies[i] = await Api.PayAsync(orders[i].OrderId, $"pay-{i}", orders[i].Total);
                if (i % 10 == 9)
                {
                    await Task.Delay(200); // pacing, not a wait: a stream, not a burst, so the outage starts while it flows
                }
            }
        }
        var stream = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(PayStreamAsync)));
        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref next)), n => n >= 10, TimeSpan.FromSeconds(30), "the stream to start");
        try
        {
            await Servers.StopBrokerAsync();
            brokerDown.SetResult();
            await stream;
            Assert.That(replies.Select(r => r.Status), Is.All.EqualTo(HttpStatusCode.OK), "the outbox buffers payments while the broker is down");
            Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE dispatched_at IS NULL"), Is.GreaterThanOrEqualTo(payments / 2),
                "at least the second half waits in the outbox");
        }
        finally
        {
            brokerDown.TrySetResult(); // never leave the stream waiting, even when stopping failed
            await Servers.StartBrokerAsync();
        }

        foreach (var (orderId, _) in orders)
        {
            await WaitUntilFulfilledAsync(orderId, seconds: 90);
        }
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE dispatched_at IS NULL"), Is.Zero);
        foreach (var table in new[] { "points_entries", "marketing_coupons", "push_sms", "warehouse_shipments", "points_inbox", "push_inbox" })
        {
            Assert.That(await CountAsync($"SELECT COUNT(*) FROM {table}"), Is.EqualTo(payments), table);
        }
        await ExactlyOnce.AssertReconciledAsync(Api);
    }
}
