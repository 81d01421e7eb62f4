namespace OrderSystem.Order.Contracts;

/// <summary>
/// A payment arrived for an order that could not be fulfilled (stock ran out at payment time); the order was cancelled
/// and the money must go back to the buyer. <paramref name="RefundId"/> is the refund created in the same transaction
/// (absent from events written before it was added).
/// </summary>
public sealed record OrderRefundRequested(
    Guid OrderId,
    string UserId,
    string PaymentId,
    decimal Amount,
    string Reason,
    DateTime OccurredAt,
    Guid? RefundId = null);
