namespace OrderSystem.Points.Contracts;

/// <summary>
/// The points of a cancelled order were taken back (as many as the balance held; the rest is recorded as the buyer's
/// debt, and GET /api/users/{userId}/points shows both).
/// </summary>
public sealed record PointsTakenBack(Guid OrderId, string UserId, DateTime OccurredAt);
