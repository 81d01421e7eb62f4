namespace OrderSystem.Order.Contracts;

/// <summary>
/// An order was cancelled (by its buyer or an operator) before it was paid: nothing was taken, so nothing is undone.
/// Written in the cancellation's own transaction for the order feed, and never published on the bus.
/// </summary>
public sealed record UnpaidOrderCancelled(
    Guid OrderId,
    string UserId,
    IReadOnlyList<OrderLine> Items,
    decimal TotalAmount,
    string Reason,
    DateTime OccurredAt);
