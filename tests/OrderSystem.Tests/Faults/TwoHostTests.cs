using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Faults;

/// <summary>Two host processes with every relay and consumer, over one database and one broker.</summary>
[Category("Slow")]
public sealed class TwoHostTests
{
    [Test]
    public async Task Two_hosts_share_the_queues_and_still_deliver_each_effect_exactly_once()
    {
        const int orderCount = 100;
        var system = await ProcessSystem.CreateAsync("pair");
        await Simulator.SetAsync("sms", new { delayMs = 30 });
        await Simulator.SetAsync("logistics", new { delayMs = 60 });
        await using var first = system.Host("pair-a");
        await using var second = system.Host("pair-b");
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        Api[] apis = [first.Api, second.Api];

        await system.WaitForConsumersAsync([first, second], perQueue: 2); // one queue per module, not one per host

        var orders = await ExactlyOnce.PlaceOrdersAsync(apis, orderCount);
        Assert.That(await ExactlyOnce.PayAsync(apis, orders), Is.All.EqualTo(HttpStatusCode.OK), () => $"{first.State}; {second.State}");

        await ExactlyOnce.AssertEachEffectOnceAsync(system, second.Api, orders);
    }
}
