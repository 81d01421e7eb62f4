using System.Net;
using System.Text.Json.Nodes;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Observability;

public sealed class HealthTests : SystemTest
{
    [Test]
    public async Task Liveness_and_readiness_answer_healthy_listing_database_broker_and_outbox()
    {
        var live = await Api.GetAsync("/health/live");
        Assert.That(live.Status, Is.EqualTo(HttpStatusCode.OK), live.ToString());
        Assert.That(live.Json["status"]!.GetValue<string>(), Is.EqualTo("Healthy"));

        var ready = await Api.GetAsync("/health/ready");
        Assert.That(ready.Status, Is.EqualTo(HttpStatusCode.OK), ready.ToString());
        Assert.That(ready.MediaType, Is.EqualTo("application/json"));
        Assert.That(ready.Json["status"]!.GetValue<string>(), Is.EqualTo("Healthy"));
        foreach (var check in new[] { "database", "masstransit-bus", "outbox" })
        {
            Assert.That(Status(ready, check), Is.EqualTo("Healthy"), check);
        }
        Assert.That(ready.Json["entries"]!["outbox"]!["data"]!["order_outbox"]!["pending"]!.GetValue<long>(), Is.Zero);
    }

    [Category("Slow")] // RabbitMQ stopped until readiness goes red and comes back
    [Test]
    public async Task Readiness_fails_while_the_broker_is_stopped_and_a_payment_waits_too_long_then_recovers()
    {
        var sku = await NewProductAsync();
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        await Servers.StopBrokerAsync();
        try
        {
            var down = await Eventually.Until(() => Api.GetAsync("/health/ready"), r => r.Status == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(30), "readiness to notice the broker is gone");
            Assert.That(Status(down, "masstransit-bus"), Is.AnyOf("Degraded", "Unhealthy"), down.ToString());
            Assert.That(Status(down, "database"), Is.EqualTo("Healthy"));
            Assert.That((await Api.GetAsync("/health/live")).Status, Is.EqualTo(HttpStatusCode.OK), "an outage is no reason to restart");

            Assert.That((await Api.PayAsync(orderId, "pay-h", total)).Status, Is.EqualTo(HttpStatusCode.OK), "the outbox buffers it");
            Assert.That(Status(await Api.GetAsync("/health/ready"), "outbox"), Is.EqualTo("Healthy"), "a fresh row is within the threshold");
            // As if the broker had been down for two hours: the row is now far older than OutboxMaxPendingAgeSeconds.
            await CountAsync("UPDATE order_outbox SET created_at = created_at - INTERVAL 2 HOUR WHERE dispatched_at IS NULL");

            var late = await Api.GetAsync("/health/ready");
            Assert.That(late.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(Status(late, "outbox"), Is.EqualTo("Unhealthy"), late.ToString());
            Assert.That(late.Json["entries"]!["outbox"]!["description"]!.GetValue<string>(), Does.Contain("order_outbox (1 pending"));
            var gauges = await Eventually.Until(() => PrometheusScrape.ReadAsync(Api),
                m => m.Sum("ordersystem_outbox_pending", ("outbox", "order_outbox")) == 1, TimeSpan.FromSeconds(20),
                "the pending gauge to show the buffered payment");
            Assert.That(gauges.Sum("ordersystem_outbox_oldest_pending_age_seconds", ("outbox", "order_outbox")), Is.GreaterThan(7000));
        }
        finally
        {
            await Servers.StartBrokerAsync();
        }

        var up = await Eventually.Until(() => Api.GetAsync("/health/ready"), r => r.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(90), "readiness to recover once the broker is back");
        Assert.That(Status(up, "masstransit-bus"), Is.EqualTo("Healthy"));
        Assert.That(Status(up, "outbox"), Is.EqualTo("Healthy"));
        await WaitUntilFulfilledAsync(orderId, seconds: 90);
        await Eventually.Until(() => PrometheusScrape.ReadAsync(Api), m => m.Sum("ordersystem_outbox_pending") == 0,
            TimeSpan.FromSeconds(20), "every pending gauge back to 0");
    }

    private static string? Status(Reply reply, string check) =>
        (reply.Json["entries"] as JsonObject)?[check]?["status"]?.GetValue<string>();
}
