namespace OrderSystem.Points.Contracts;

/// <summary>Loyalty points were credited for a paid order.</summary>
public sealed record PointsGranted(Guid OrderId, string UserId, int Points, DateTime OccurredAt);
