namespace OrderSystem.Order.Contracts;

/// <summary>
/// A refund of one of the order's payments entered <paramref name="Status"/> (as the Refunds module names its states:
/// Requested, Submitted, Processing, Succeeded, Closed, ManualReview, Resolved). Order records it from Refunds' own event,
/// once (its inbox), for the order feed; never published on the bus. Delivery may reorder two changes of one refund:
/// a reader keeps a change only when it is newer than the last one it has for that refund.
/// </summary>
public sealed record OrderRefundChanged(
    Guid OrderId,
    Guid RefundId,
    string PaymentId,
    decimal Amount,
    string Reason,
    string Status,
    DateTime OccurredAt);
