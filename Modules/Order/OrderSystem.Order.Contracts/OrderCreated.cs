namespace OrderSystem.Order.Contracts;

/// <summary>
/// A buyer placed an order at the catalog's prices; it waits for payment until <paramref name="ExpiresAt"/>. Written in
/// the order's own insert transaction for the order feed, and never published on the bus.
/// </summary>
public sealed record OrderCreated(
    Guid OrderId,
    string UserId,
    IReadOnlyList<OrderLine> Items,
    decimal TotalAmount,
    DateTime ExpiresAt,
    DateTime OccurredAt);
