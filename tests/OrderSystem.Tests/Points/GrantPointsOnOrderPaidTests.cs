using System.Text.Json.Nodes;
using OrderSystem.Points;
using OrderSystem.Tests.Infrastructure;
using static OrderSystem.Tests.Operations.OrderPaidConsumers;

namespace OrderSystem.Tests.Points;

/// <summary>Points' consumer of OrderPaid: one point per whole unit paid, one entry per paid order.</summary>
public sealed class GrantPointsOnOrderPaidTests : SystemTest
{
    private static readonly ConsumerUnderTest Consumer =
        new(PointsModule.Declaration, async order => (await PointsOfAsync(order.UserId))["entries"]!.AsArray());

    [Test]
    public async Task Each_paid_order_grants_one_point_per_whole_unit_paid_and_the_balance_adds_them_up()
    {
        var user = Fresh("u");
        var first = await PayNewOrderAsync(price: 9.99m, quantity: 2, userId: user);
        var second = await PayNewOrderAsync(price: 10.00m, quantity: 3, userId: user);
        await WaitUntilFulfilledAsync(first.OrderId);
        await WaitUntilFulfilledAsync(second.OrderId);

        var points = await PointsOfAsync(user);

        var entries = points["entries"]!.AsArray().Select(e => (e!["orderId"]!.GetValue<string>(), e["points"]!.GetValue<int>()));
        Assert.That(entries, Is.EquivalentTo(new[] { (first.OrderId, 19), (second.OrderId, 30) }), "19.98 and 30.00 paid");
        Assert.That(points["balance"]!.GetValue<long>(), Is.EqualTo(49));
    }

    [Test]
    public Task An_OrderPaid_delivered_twice_and_again_under_a_new_message_id_grants_its_points_once() =>
        AssertDeliveredAgainHasOneEffectAsync(Consumer);

    [Test]
    public Task A_points_entry_the_database_refuses_is_dead_lettered_as_Failed_and_the_next_order_still_gets_its_points() =>
        AssertRefusedEffectRowDeadLettersAsync(Consumer);

    private static async Task<JsonNode> PointsOfAsync(string userId) => (await Api.GetAsync($"/api/users/{userId}/points")).Json;
}
