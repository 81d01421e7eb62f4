using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Messaging;

/// <summary>A host of its own (own database and virtual host) that runs only Order, Inventory and Marketing.</summary>
public sealed class DisabledModuleTests
{
    [Test]
    public async Task Disabled_modules_register_no_consumers_and_no_endpoints()
    {
        await using var system = await TestSystem.StartAsync("partial", modules: "Order,Inventory,Refunds,Marketing");
        var sku = Fresh();
        Assert.That((await system.Api.PutProductAsync(sku, 10m, 5)).Status, Is.EqualTo(HttpStatusCode.OK));
        var user = Fresh();
        var created = (await system.Api.PlaceOrderAsync(user, (sku, 1))).Json;
        var orderId = created["orderId"]!.GetValue<string>();
        Assert.That((await system.Api.PayAsync(orderId, "pay-1", 10m)).Status, Is.EqualTo(HttpStatusCode.OK));

        var order = await Eventually.Until(() => system.Api.GetAsync($"/api/orders/{orderId}"),
            r => r.Json["fulfillment"]!["coupon"]!["status"]!.GetValue<string>() == "Done", TimeSpan.FromSeconds(30), "the coupon");

        Assert.That(order.Json["fulfillment"]!["points"]!["status"]!.GetValue<string>(), Is.EqualTo("Pending"));
        Assert.That((await system.Api.GetAsync($"/api/users/{user}/points")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await system.Api.GetAsync($"/api/users/{user}/sms")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        var queues = await RabbitManagement.QueueNamesAsync(system.VirtualHost); // scoped by ORDERSYSTEM_TEST_SCOPE
        Assert.That(queues, Does.Contain("marketing").And.Contain("order"));
        Assert.That(queues, Does.Not.Contain("points").And.Not.Contain("push").And.Not.Contain("warehouse"));
        await using var connection = await system.OpenAsync();
        Assert.That(await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT COUNT(*) FROM points_entries"), Is.Zero);
    }

    private static string Fresh() => "P-" + Guid.NewGuid().ToString("N")[..10];
}
