using System.Net;
using Dapper;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Scaling;

/// <summary>
/// The host on the local 3-node RabbitMQ cluster (scripts/rabbit-cluster.sh) with quorum queues: losing the node it is
/// connected to, in the middle of a stream of payments, loses and doubles nothing.
/// </summary>
[Category("Slow")]
public sealed class QuorumClusterTests
{
    private const int Orders = 40;

    // A new cluster each time, as on a clean machine: a node this test restarts can leave a state RabbitMQ 3.10
    // refuses to boot from later (incompatible_feature_flags).
    [OneTimeSetUp]
    public async Task StartClusterAsync()
    {
        await Servers.ClusterAsync("reset");
        await Servers.ClusterAsync("start");
    }

    // The three nodes cost memory and CPU the rest of the suite wants back.
    [OneTimeTearDown]
    public Task StopClusterAsync() => Servers.ClusterAsync("stop");

    [Test]
    public async Task Losing_a_broker_node_mid_stream_keeps_payments_going_and_every_effect_arrives_once()
    {
        await using var system = await TestSystem.StartAsync("cluster",
            settings: new Dictionary<string, string>
            {
                ["RabbitMq:Nodes"] = "127.0.0.1:5691,127.0.0.1:5692,127.0.0.1:5693",
                ["RabbitMq:QueueType"] = "quorum",
            },
            rabbitManagementUrl: "http://127.0.0.1:15691");
        var sku = "Q-" + Guid.NewGuid().ToString("N")[..10];
        var user = "u-" + Guid.NewGuid().ToString("N")[..10];
        Assert.That((await system.Api.PutProductAsync(sku, 2m, Orders)).Status, Is.EqualTo(HttpStatusCode.OK));
        var rabbit = RabbitManagement.For("http://127.0.0.1:15692"); // a node that stays up
        foreach (var queue in ModuleTopology.Queues)
        {
            Assert.That(await RabbitManagement.QueueTypeAsync(system.VirtualHost, queue, rabbit), Is.EqualTo("quorum"), queue);
        }

        var orderIds = new List<string>();
        for (var i = 0; i < Orders; i++)
        {
            if (i == Orders / 2)
            {
                await Servers.ClusterAsync("stop-node", "1"); // the first node listed: where the host is connected
            }
            var orderId = (await system.Api.PlaceOrderAsync(user, (sku, 1))).Json["orderId"]!.GetValue<string>();
            var paid = await system.Api.PayAsync(orderId, $"pay-{i}", 2m);
            Assert.That(paid.Status, Is.EqualTo(HttpStatusCode.OK), paid.ToString());
            orderIds.Add(orderId);
        }

        foreach (var orderId in orderIds)
        {
            await Eventually.Until(() => system.Api.GetAsync($"/api/orders/{orderId}"),
                r => new[] { "points", "coupon", "sms", "shipment" }.All(s => r.Json["fulfillment"]![s]!["status"]!.GetValue<string>() == "Done"),
                TimeSpan.FromSeconds(120), $"order {orderId} to be fulfilled on the surviving nodes");
        }
        await using var connection = await system.OpenAsync();
        foreach (var table in new[] { "points_entries", "marketing_coupons", "push_sms" })
        {
            Assert.That(await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE user_id = @user", new { user }),
                Is.EqualTo(Orders), table);
        }
        Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM warehouse_shipments"), Is.EqualTo(Orders));

        await Servers.ClusterAsync("start-node", "1");
        await Servers.ClusterAsync("status"); // exits non-zero unless all three are running members again
    }
}
