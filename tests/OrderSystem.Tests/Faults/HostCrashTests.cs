using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Faults;

/// <summary>The host is killed with SIGKILL in the middle of a load and started again.</summary>
[Category("Slow")]
public sealed class HostCrashTests
{
    [Test]
    public async Task A_host_killed_mid_payments_and_mid_consumer_work_delivers_every_effect_exactly_once_after_restart()
    {
        const int orderCount = 80;
        var system = await ProcessSystem.CreateAsync("crash");
        // Slow third parties keep SMS and shipment work in flight when the kill comes.
        await Simulator.SetAsync("sms", new { delayMs = 300 });
        await Simulator.SetAsync("logistics", new { delayMs = 1500 });
        await using var host = system.Host("crash");
        await host.StartAsync();
        Api[] apis = [host.Api];
        var orders = await ExactlyOnce.PlaceOrdersAsync(apis, orderCount);

        // First half paid normally; the second half is cut by a SIGKILL after 10 more answers.
        Assert.That(await ExactlyOnce.PayAsync(apis, orders[..40]), Is.All.EqualTo(HttpStatusCode.OK));
        var answered = 0;
        var killed = new TaskCompletionSource();
        var wave = ExactlyOnce.PayAsync(apis, orders[40..], () =>
        {
            if (Interlocked.Increment(ref answered) == 10)
            {
                killed.TrySetResult();
            }
        });
        await killed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await host.KillAsync();
        var cut = await wave;
        Assert.That(cut, Has.Some.Null, "some callbacks were in flight when the host died");
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM warehouse_shipments"), Is.LessThan(orderCount),
            "shipment work was still in flight when the host died");

        // The provider sends every unanswered callback again; replays of committed payments answer 200 as well.
        await host.StartAsync();
        Assert.That(await ExactlyOnce.PayAsync(apis, orders), Is.All.EqualTo(HttpStatusCode.OK));

        // A second kill while consumers and relays work through the backlog.
        await Eventually.Until(() => system.CountAsync("SELECT COUNT(*) FROM push_sms"), n => n > 0, TimeSpan.FromSeconds(60), "SMS work to resume");
        await host.KillAsync();
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM order_fulfillment WHERE status = 'Done'"), Is.LessThan(4 * orderCount),
            "fulfillment was still in flight when the host died again");
        await host.StartAsync();

        await ExactlyOnce.AssertEachEffectOnceAsync(system, host.Api, orders);
    }
}
