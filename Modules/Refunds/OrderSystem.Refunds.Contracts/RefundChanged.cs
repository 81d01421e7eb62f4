namespace OrderSystem.Refunds.Contracts;

/// <summary>
/// A refund entered a new state (Requested, Submitted, Processing, Succeeded, Closed, ManualReview, Resolved).
/// <paramref name="Version"/> numbers a refund's changes 1, 2, 3… in the order Refunds made them, so a reader can put
/// them back in order when the bus does not deliver them so; 0 on events from before versions were carried.
/// </summary>
public sealed record RefundChanged(
    Guid RefundId,
    Guid OrderId,
    string PaymentId,
    decimal Amount,
    string Reason,
    string Status,
    DateTime OccurredAt,
    int Version = 0);
