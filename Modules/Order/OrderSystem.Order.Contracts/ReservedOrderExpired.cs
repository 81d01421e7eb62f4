namespace OrderSystem.Order.Contracts;

/// <summary>
/// An order whose stock was reserved beforehand (a flash sale's) expired unpaid; written beside its
/// <see cref="OrderExpired"/>, so the module that reserved the units gives them back without reading every expiry.
/// </summary>
public sealed record ReservedOrderExpired(
    Guid OrderId,
    string UserId,
    IReadOnlyList<OrderLine> Items,
    DateTime ExpiresAt,
    DateTime OccurredAt);
