namespace OrderSystem.Marketing.Contracts;

/// <summary>A thank-you coupon was issued for a paid order.</summary>
public sealed record CouponIssued(Guid OrderId, Guid CouponId, string UserId, decimal Value, DateTime OccurredAt);
