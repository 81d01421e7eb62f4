namespace OrderSystem.Refunds.Contracts;

/// <summary>A refund entered a new state (Requested, Submitted, Processing, Succeeded, Closed, ManualReview, Resolved).</summary>
public sealed record RefundChanged(
    Guid RefundId,
    Guid OrderId,
    string PaymentId,
    decimal Amount,
    string Reason,
    string Status,
    DateTime OccurredAt);
