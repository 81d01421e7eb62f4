using System.Diagnostics;
using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Observability;

public sealed class TracingTests : SystemTest
{
    [Test]
    public async Task One_paid_order_is_one_trace_from_the_payment_call_through_outbox_and_relay_to_every_consumer()
    {
        var sku = await NewProductAsync();
        var (orderId, total) = await NewOrderAsync(Fresh("u"), sku);
        Assert.That((await Api.PayAsync(orderId, "pay-trace", total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await WaitUntilFulfilledAsync(orderId);

        var spans = System.Get<ExportedSpans>();
        var payment = await Eventually.Until(() => Task.FromResult(spans.Snapshot().FirstOrDefault(s =>
                s.Kind == ActivityKind.Server && s.GetTagItem("url.path") as string == $"/api/orders/{orderId}/payment")),
            s => s is not null, TimeSpan.FromSeconds(10), "the payment's HTTP span");
        // The last consumers' spans end a moment after the order reads as fulfilled.
        var trace = await Eventually.Until(() => Task.FromResult(spans.InTrace(payment!.TraceId)),
            t => new[] { "points", "marketing", "push", "warehouse" }.All(q => Consumed(t, q).Count >= 1),
            TimeSpan.FromSeconds(20), "every consumer's span in the payment's trace");
        TestContext.Out.WriteLine(string.Join("\n", trace.Select(Describe))); // read this when an assertion below fails

        Assert.That(payment!.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "the HTTP call starts the trace");
        var transaction = trace.Single(s => s.DisplayName == "payment transaction");
        Assert.That(transaction.ParentSpanId, Is.EqualTo(payment.SpanId));
        Assert.That(transaction.GetTagItem("order.id")?.ToString(), Is.EqualTo(orderId));
        Assert.That(trace.Where(s => s.Source.Name == "MySqlConnector" && s.ParentSpanId == transaction.SpanId), Is.Not.Empty,
            "the transaction's statements");
        var write = trace.Single(s => s.DisplayName == "outbox write OrderPaid");
        Assert.That(write.ParentSpanId, Is.EqualTo(transaction.SpanId));
        var publish = trace.Single(s => s.DisplayName == "outbox publish OrderPaid");
        Assert.That(publish.ParentSpanId, Is.EqualTo(write.SpanId), "the relay continues from the context stored in the row");
        var consumers = trace.Select(s => s.GetTagItem("messaging.masstransit.consumer_type") as string).OfType<string>()
            .Select(t => t[(t.LastIndexOf('.') + 1)..]);
        Assert.That(consumers, Is.SupersetOf(new[]
        {
            "GrantPointsOnOrderPaid", "IssueCouponOnOrderPaid", "SendSmsOnOrderPaid", "RequestShipmentOnOrderPaid",
        }), "each module's consumer");
        // With Order in the same process the modules record their step in Order's view themselves: no completion event.
        Assert.That(trace.Where(s => s.DisplayName.StartsWith("outbox publish", StringComparison.Ordinal)).Select(Describe),
            Is.EqualTo(new[] { Describe(publish) }), "OrderPaid is the only message relayed");
        Assert.That(Consumed(trace, "order"), Is.Empty, "nothing for Order's queue");
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        Assert.That(trace.Where(s => s != payment && !ids.Contains(s.ParentSpanId)).Select(Describe), Is.Empty,
            "every span hangs from another span of the same trace");
    }

    private static List<Activity> Consumed(IEnumerable<Activity> trace, string queue) =>
        trace.Where(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer &&
                         (s.GetTagItem("messaging.destination.name") as string) == queue).ToList();

    private static string Describe(Activity s) =>
        $"{s.Source.Name} {s.Kind} '{s.DisplayName}' {s.SpanId} <- {s.ParentSpanId} " +
        string.Join(" ", s.TagObjects.Where(t => t.Key.StartsWith("messaging.", StringComparison.Ordinal)).Select(t => $"{t.Key}={t.Value}"));
}
