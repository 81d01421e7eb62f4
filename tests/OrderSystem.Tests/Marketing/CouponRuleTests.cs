using OrderSystem.Marketing;

namespace OrderSystem.Tests.Marketing;

public sealed class CouponRuleTests
{
    [TestCase(19.98, 1.00)]
    [TestCase(100.00, 5.00)]
    [TestCase(123.45, 6.17)]
    [TestCase(5000.00, 50.00)]
    public void A_coupon_is_worth_five_percent_rounded_down_between_one_and_fifty(decimal paid, decimal expected) =>
        Assert.That(CouponRule.ValueFor(paid), Is.EqualTo(expected));

    [Test]
    public void The_coupon_code_is_the_same_for_the_same_order()
    {
        var orderId = Guid.NewGuid();
        var first = CouponRule.CodeFor(orderId);

        Assert.That(CouponRule.CodeFor(orderId), Is.EqualTo(first).And.Match("^OS-[0-9A-F]{10}$"));
        Assert.That(CouponRule.CodeFor(orderId), Is.Not.EqualTo(CouponRule.CodeFor(Guid.NewGuid())));
    }
}
