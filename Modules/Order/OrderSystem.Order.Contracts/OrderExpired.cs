namespace OrderSystem.Order.Contracts;

/// <summary>
/// An order's payment window ended before it was paid: it is closed and can no longer be paid. Nothing was deducted
/// for it; the lines let a module that reserved something for the order (a flash sale's units) give it back.
/// </summary>
public sealed record OrderExpired(
    Guid OrderId,
    string UserId,
    IReadOnlyList<OrderLine> Items,
    DateTime ExpiresAt,
    DateTime OccurredAt);
