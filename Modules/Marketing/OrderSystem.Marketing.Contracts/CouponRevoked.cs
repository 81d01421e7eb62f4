namespace OrderSystem.Marketing.Contracts;

/// <summary>The coupon of a cancelled order was revoked (or, when it was not issued yet, will never be).</summary>
public sealed record CouponRevoked(Guid OrderId, string UserId, DateTime OccurredAt);
