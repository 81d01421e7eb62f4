using System.Net;
using OrderSystem.Tests.Faults;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Scaling;

/// <summary>
/// The same build as three kinds of process (Order+Inventory+Refunds+FlashSales, Points+Marketing, Push+Warehouse), two instances of each,
/// as real OS processes over one database and one broker.
/// </summary>
[Category("Slow")]
public sealed class SplitDeploymentTests
{
    private const int OrderCount = 200;

    private static readonly (string Name, string Modules)[] Roles =
        [("buyer", "Order,Inventory,Refunds,FlashSales"), ("loyalty", "Points,Marketing"), ("delivery", "Push,Warehouse")];

    [Test]
    public async Task Modules_split_over_processes_and_instances_deliver_each_effect_exactly_once()
    {
        var system = await ProcessSystem.CreateAsync("split");
        var hosts = Roles.SelectMany(role => new[] { 1, 2 }.Select(instance =>
            (role.Name, Host: system.Host($"{role.Name}-{instance}", ("Modules__Enabled", role.Modules))))).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => h.Host.StartAsync()));
            var buyerApis = hosts.Where(h => h.Name == "buyer").Select(h => h.Host.Api).ToList();

            await system.WaitForConsumersAsync(hosts.ConvertAll(h => h.Host), perQueue: 2);
            Assert.That(await RabbitManagement.QueueNamesAsync(system.VirtualHost), Has.Member("inventory"), "Inventory consumes OrderCancelled (stock back)");

            var orders = await ExactlyOnce.PlaceOrdersAsync(buyerApis, OrderCount);
            Assert.That(await ExactlyOnce.PayAsync(buyerApis, orders), Is.All.EqualTo(HttpStatusCode.OK));
            await ExactlyOnce.AssertEachEffectOnceAsync(system, buyerApis[0], orders);
            foreach (var outbox in ModuleTopology.CompletionOutboxTables)
            {
                // Without Order in their process, the modules report each step to it with a completion event.
                Assert.That(await system.CountAsync($"SELECT COUNT(*) FROM {outbox}"), Is.EqualTo(OrderCount), $"{outbox}: one event per order");
            }
            // Each completion event carries its delivery: the OrderPaid the module consumed (one per order) and the attempts.
            Assert.That(await system.CountAsync(
                "SELECT COUNT(*) FROM order_fulfillment WHERE status = 'Done' AND (attempts IS NULL OR attempts < 1 OR message_id IS NULL)"),
                Is.Zero, "every step done names its message and attempts");
            Assert.That(await system.CountAsync(
                "SELECT COUNT(*) FROM (SELECT order_id FROM order_fulfillment GROUP BY order_id HAVING COUNT(DISTINCT message_id) > 1) x"),
                Is.Zero, "the steps of an order consumed the same OrderPaid");

            var order = (await buyerApis[1].GetAsync($"/api/orders/{orders[0].OrderId}")).Json;
            Assert.That(order["fulfillment"]!["shipment"]!["status"]!.GetValue<string>(), Is.EqualTo("Done"),
                "the Order process shows what the other processes reported");
            await AssertEachServesOnlyItsOwnRoutesAsync(hosts, orders[0].OrderId);
        }
        finally
        {
            await Task.WhenAll(hosts.Select(h => h.Host.DisposeAsync().AsTask()));
        }
    }

    private static async Task AssertEachServesOnlyItsOwnRoutesAsync(List<(string Name, HostProcess Host)> hosts, string orderId)
    {
        var routes = new Dictionary<string, string>
        {
            [$"/api/orders/{orderId}"] = "buyer", ["/api/inventory/LOAD-1"] = "buyer",
            ["/api/users/load-user-0/points"] = "loyalty", ["/api/users/load-user-0/coupons"] = "loyalty",
            ["/api/users/load-user-0/sms"] = "delivery", [$"/api/shipments?orderId={orderId}"] = "delivery",
        };
        var outboxes = new Dictionary<string, string[]>
        {
            ["buyer"] = ["order_outbox", "refunds_outbox"], ["loyalty"] = ["points_outbox", "marketing_outbox"], ["delivery"] = ["push_outbox", "warehouse_outbox"],
        };
        foreach (var (name, host) in hosts)
        {
            var ready = (await host.Api.GetAsync("/health/ready")).Json;
            Assert.That(ready["entries"]!["outbox"]!["data"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(outboxes[name]),
                $"{name} reports only its own modules' health");
            foreach (var (route, owner) in routes)
            {
                var expected = name == owner ? HttpStatusCode.OK : HttpStatusCode.NotFound;
                Assert.That((await host.Api.GetAsync(route)).Status, Is.EqualTo(expected), $"{route} on {name}");
            }
        }
    }
}
