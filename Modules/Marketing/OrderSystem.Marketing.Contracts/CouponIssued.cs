namespace OrderSystem.Marketing.Contracts;

/// <summary>A thank-you coupon was issued for a paid order. <c>OrderPaidMessageId</c> is the
/// <c>OrderPaid</c> it carried out, <c>Attempts</c> how many deliveries that took (both null from a sender older than them).</summary>
public sealed record CouponIssued(Guid OrderId, Guid CouponId, string UserId, decimal Value,
    DateTime OccurredAt, Guid? OrderPaidMessageId = null, int? Attempts = null);
