namespace OrderSystem.Order.Contracts;

/// <summary>
/// A payment arrived for an order that could not be fulfilled (stock ran out at payment time); the order was cancelled
/// and the money must go back to the buyer.
/// </summary>
public sealed record OrderRefundRequested(
    Guid OrderId,
    string UserId,
    string PaymentId,
    decimal Amount,
    string Reason,
    DateTime OccurredAt);
