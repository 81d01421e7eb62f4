using System.Net;
using OrderSystem.Tests.Faults;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Feed;

/// <summary>Two host processes paying side by side; one sequencer between them, and the other takes over when it dies.</summary>
[Category("Slow")]
[NonParallelizable]
public sealed class FeedTwoHostTests
{
    [Test]
    public async Task Payments_on_two_hosts_make_one_gap_free_feed_with_versions_in_order_even_when_a_host_is_killed()
    {
        var system = await ProcessSystem.CreateAsync("feedpair");
        await using var first = system.Host("feedpair-a", ("Feed__PollMs", "20"));
        await using var second = system.Host("feedpair-b", ("Feed__PollMs", "20"));
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        await system.WaitForConsumersAsync([first, second], perQueue: 2);
        Api[] both = [first.Api, second.Api];

        var before = await ExactlyOnce.PlaceOrdersAsync(both, 150);
        Assert.That(await ExactlyOnce.PayAsync(both, before), Is.All.EqualTo(HttpStatusCode.OK));
        await first.KillAsync(); // whichever held the sequencer's lock, the feed goes on
        var after = await ExactlyOnce.PlaceOrdersAsync([second.Api], 50);
        Assert.That(await ExactlyOnce.PayAsync([second.Api], after), Is.All.EqualTo(HttpStatusCode.OK));

        await using var reader = await FeedLog.OpenAsync(system.VirtualHost);
        var log = new FeedLog(); // asserts gap-free sequences and versions 1, 2, 3... per order as it reads
        var orders = before.Concat(after).Select(o => Guid.Parse(o.OrderId)).ToList();
        await Eventually.Until(async () =>
        {
            await log.DrainAsync(reader);
            return orders.Count(id => !log.Latest.TryGetValue(id, out var e) || e.Order.Status != "Paid" ||
                new[] { e.Order.Fulfillment.Points, e.Order.Fulfillment.Coupon, e.Order.Fulfillment.Sms, e.Order.Fulfillment.Shipment }.Any(s => s.Status != "Done"));
        }, n => n == 0, TimeSpan.FromSeconds(90), "every order paid and fulfilled in the feed");

        var perOrder = log.Events.GroupBy(e => e.OrderId).ToDictionary(g => g.Key, g => g.Select(e => e.Type).ToList());
        Assert.Multiple(() =>
        {
            Assert.That(log.Events.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, log.Events.Count).Select(i => (long)i)));
            Assert.That(orders.Select(id => perOrder[id].Take(2)), Is.All.EqualTo(new[] { "OrderCreated", "OrderPaid" }));
            Assert.That(orders.Select(id => perOrder[id].Count), Is.All.EqualTo(6), "created, paid and four fulfillment steps, each once");
        });
        TestContext.Progress.WriteLine($"{log.Events.Count} events, {log.Repeats} re-published ones dropped");
    }
}
