namespace OrderSystem.Order.Contracts;

/// <summary>
/// A paid order was cancelled (by its buyer or an operator): its refund was created in the same transaction. Each module
/// undoes what it did for the order's OrderPaid (points, coupon, shipment, stock), once, and also when this arrives
/// before that OrderPaid: the OrderPaid is then to do nothing. <paramref name="RefundId"/> is the refund created with it
/// (absent from events written before it was added).
/// </summary>
public sealed record OrderCancelled(
    Guid OrderId,
    string UserId,
    IReadOnlyList<OrderLine> Items,
    decimal Amount,
    string PaymentId,
    string Reason,
    DateTime OccurredAt,
    Guid? RefundId = null);
