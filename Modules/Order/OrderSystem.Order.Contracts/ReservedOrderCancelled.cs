namespace OrderSystem.Order.Contracts;

/// <summary>
/// An unpaid order whose stock was reserved beforehand (a flash sale's) was cancelled by its buyer or an operator before
/// its payment window ended. Nothing was paid or deducted; the lines let the module that reserved the units give them back,
/// as after <see cref="OrderExpired"/>.
/// </summary>
public sealed record ReservedOrderCancelled(
    Guid OrderId,
    string UserId,
    IReadOnlyList<OrderLine> Items,
    string Reason,
    DateTime OccurredAt);
