using System.Text.Json.Nodes;
using OrderSystem.Marketing;
using OrderSystem.Tests.Infrastructure;
using static OrderSystem.Tests.Operations.OrderPaidConsumers;

namespace OrderSystem.Tests.Marketing;

/// <summary>Marketing's consumer of OrderPaid: one thank-you coupon per paid order (<see cref="CouponRule"/>).</summary>
public sealed class IssueCouponOnOrderPaidTests : SystemTest
{
    private static readonly ConsumerUnderTest Consumer = new(MarketingModule.Declaration, order => CouponsOfAsync(order.UserId));

    [Test]
    public async Task A_paid_order_gets_one_coupon_worth_five_percent_with_the_code_derived_from_its_order_id()
    {
        var order = await PayNewOrderAsync(price: 123.45m);
        await WaitUntilFulfilledAsync(order.OrderId);

        var coupons = await CouponsOfAsync(order.UserId);

        Assert.That(coupons, Has.Count.EqualTo(1));
        Assert.That(coupons[0]!["orderId"]!.GetValue<string>(), Is.EqualTo(order.OrderId));
        Assert.That(coupons[0]!["value"]!.GetValue<decimal>(), Is.EqualTo(6.17m), "5% of 123.45, rounded down to the cent");
        Assert.That(coupons[0]!["code"]!.GetValue<string>(),
            Is.EqualTo(CouponRule.CodeFor(Guid.Parse(order.OrderId))).And.Match("^OS-[0-9A-F]{10}$"));
    }

    [Test]
    public Task An_OrderPaid_delivered_twice_and_again_under_a_new_message_id_issues_one_coupon() =>
        AssertDeliveredAgainHasOneEffectAsync(Consumer);

    [Test]
    public Task A_coupon_the_database_refuses_is_dead_lettered_as_Failed_and_the_next_order_still_gets_its_coupon() =>
        AssertRefusedEffectRowDeadLettersAsync(Consumer);

    private static async Task<JsonArray> CouponsOfAsync(string userId) => (await Api.GetAsync($"/api/users/{userId}/coupons")).Json.AsArray();
}
