namespace OrderSystem.Points.Contracts;

/// <summary>Loyalty points were credited for a paid order. <c>OrderPaidMessageId</c> is the
/// <c>OrderPaid</c> it carried out, <c>Attempts</c> how many deliveries that took (both null from a sender older than them).</summary>
public sealed record PointsGranted(Guid OrderId, string UserId, int Points,
    DateTime OccurredAt, Guid? OrderPaidMessageId = null, int? Attempts = null);
