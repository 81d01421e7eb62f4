using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Observability;

public sealed class MetricsTests : SystemTest
{
    private static readonly string[] Modules = ["points", "marketing", "push", "warehouse"];

    [Test]
    public async Task A_paid_and_a_refused_payment_move_the_payment_relay_and_consume_metrics()
    {
        var sku = await NewProductAsync();
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        var before = await PrometheusScrape.ReadAsync(Api);

        var refused = await Api.PayRawAsync(orderId, """{"paymentId":"pay-m","amount":1}""", signature: "sha256=00");
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await Api.PayAsync(orderId, "pay-m", total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await WaitUntilFulfilledAsync(orderId);

        // A consumer is counted a moment after its transaction made the order read as fulfilled.
        var after = await Eventually.Until(() => PrometheusScrape.ReadAsync(Api),
            now => Modules.All(m => Delta(before, now, "ordersystem_consume_duration_seconds_count", ("module", m)) >= 1),
            TimeSpan.FromSeconds(10), "the four modules' consumers to be counted");

        Assert.Multiple(() =>
        {
            Assert.That(Delta(before, after, "ordersystem_payments_total", ("outcome", "paid")), Is.EqualTo(1));
            Assert.That(Delta(before, after, "ordersystem_payments_total", ("outcome", "invalid-signature")), Is.EqualTo(1));
            Assert.That(Delta(before, after, "ordersystem_payment_duration_seconds_count", ("outcome", "paid")), Is.EqualTo(1));
            Assert.That(Delta(before, after, "ordersystem_payment_duration_seconds_sum", ("outcome", "paid")), Is.GreaterThan(0));
            Assert.That(after.Has("ordersystem_payment_duration_seconds_bucket", ("outcome", "paid"), ("le", "0.001")), Is.True,
                "buckets from 1 ms: a payment is answered in milliseconds");
            Assert.That(Delta(before, after, "ordersystem_outbox_published_total", ("outbox", "order_outbox")), Is.EqualTo(1));
            foreach (var module in Modules)
            {
                Assert.That(Delta(before, after, "ordersystem_consume_duration_seconds_count", ("module", module), ("outcome", "success")),
                    Is.EqualTo(1), module);
                // Order runs in this process, so the modules record their step in its view instead of announcing it.
                Assert.That(Delta(before, after, "ordersystem_outbox_published_total", ("outbox", module + "_outbox")), Is.Zero, module);
            }
            Assert.That(Delta(before, after, "ordersystem_consume_duration_seconds_count", ("module", "order")), Is.Zero);
            Assert.That(Delta(before, after, "ordersystem_consume_failures_total"), Is.Zero);
            Assert.That(after.Has("ordersystem_outbox_pending", ("outbox", "order_outbox")), Is.True, "the backlog gauge per outbox");
            Assert.That(after.Has("ordersystem_outbox_oldest_pending_age_seconds", ("outbox", "order_outbox")), Is.True);
            Assert.That(after.Has("messaging_masstransit_consume_duration_milliseconds_count"), Is.True, "MassTransit's own meter is exported too");
            Assert.That(after.Sum("dotnet_jit_compilation_time_seconds_total"), Is.GreaterThan(0), "the runtime's meter is exported too");
            Assert.That(after.Has("dotnet_gc_pause_time_seconds_total"), Is.True);
        });
    }

    [Category("Slow")] // RabbitMQ stopped and the backlog published after
    [Test]
    public async Task While_the_broker_is_stopped_relay_failures_are_counted_and_the_backlog_is_published_after()
    {
        var sku = await NewProductAsync();
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        var before = await PrometheusScrape.ReadAsync(Api);
        await Servers.StopBrokerAsync();
        try
        {
            Assert.That((await Api.PayAsync(orderId, "pay-outage", total)).Status, Is.EqualTo(HttpStatusCode.OK));
            await Eventually.Until(() => PrometheusScrape.ReadAsync(Api),
                now => Delta(before, now, "ordersystem_outbox_publish_failures_total", ("outbox", "order_outbox")) +
                       Delta(before, now, "ordersystem_outbox_relay_errors_total", ("outbox", "order_outbox")) >= 1,
                TimeSpan.FromSeconds(40), "the relay's failed attempt to be counted");
        }
        finally
        {
            await Servers.StartBrokerAsync();
        }

        await WaitUntilFulfilledAsync(orderId, seconds: 90);
        var after = await PrometheusScrape.ReadAsync(Api);
        Assert.That(Delta(before, after, "ordersystem_outbox_published_total", ("outbox", "order_outbox")), Is.EqualTo(1),
            "published once the broker is back");
    }

    private static double Delta(PrometheusScrape before, PrometheusScrape after, string metric, params (string, string)[] labels) =>
        after.Sum(metric, labels) - before.Sum(metric, labels);
}
