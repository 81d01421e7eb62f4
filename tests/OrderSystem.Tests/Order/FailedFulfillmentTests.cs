using System.Net;
using Dapper;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Order;

/// <summary>A host of its own whose SMS gateway refuses every text (healthy, but the request is what fails).</summary>
public sealed class FailedFulfillmentTests
{
    [Test]
    public async Task An_SMS_that_keeps_failing_shows_as_Failed_while_the_other_steps_complete()
    {
        await using var system = await TestSystem.StartAsync("smsdown");
        await Simulator.SetAsync("sms", new { rejectProbability = 1 });
        var sku = "F-" + Guid.NewGuid().ToString("N")[..10];
        Assert.That((await system.Api.PutProductAsync(sku, 10m, 5)).Status, Is.EqualTo(HttpStatusCode.OK));
        var orderId = (await system.Api.PlaceOrderAsync("u-failed", (sku, 1))).Json["orderId"]!.GetValue<string>();
        Assert.That((await system.Api.PayAsync(orderId, "pay-1", 10m)).Status, Is.EqualTo(HttpStatusCode.OK));

        var order = await Eventually.Until(() => system.Api.GetAsync($"/api/orders/{orderId}"),
            r => r.Json["fulfillment"]!["sms"]!["status"]!.GetValue<string>() == "Failed"
                 && r.Json["fulfillment"]!["shipment"]!["status"]!.GetValue<string>() == "Done",
            TimeSpan.FromSeconds(30), "the SMS step to fail after its retries");

        var fulfillment = order.Json["fulfillment"]!;
        Assert.That(fulfillment["points"]!["status"]!.GetValue<string>(), Is.EqualTo("Done"));
        Assert.That(fulfillment["coupon"]!["status"]!.GetValue<string>(), Is.EqualTo("Done"));
        Assert.That(fulfillment["sms"]!["at"], Is.Not.Null);
        Assert.That((await system.Api.GetAsync("/api/users/u-failed/sms")).Json.AsArray(), Is.Empty);
        // The failed step names the message that failed, the order's OrderPaid (the one the shipment step consumed too);
        // a fault does not say how many attempts it had.
        await using var connection = await system.OpenAsync();
        var steps = (await connection.QueryAsync<(string Step, int? Attempts, Guid? MessageId)>(
            "SELECT step, attempts, message_id FROM order_fulfillment WHERE order_id = @OrderId", new { OrderId = orderId })).ToDictionary(s => s.Step);
        Assert.That(steps["sms"].MessageId, Is.Not.Null.And.EqualTo(steps["shipment"].MessageId));
        Assert.That((steps["sms"].Attempts, steps["shipment"].Attempts), Is.EqualTo(((int?)null, (int?)1)));
        await Simulator.QuietAsync();
    }
}
