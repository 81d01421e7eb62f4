namespace OrderSystem.Feed.Contracts;

/// <summary>An order's state in the feed: the fields of GET /api/orders/{id}, plus <see cref="CancelledAt"/> and the refunds.</summary>
public sealed record FeedOrder(
    Guid OrderId,
    string UserId,
    string Status,
    decimal TotalAmount,
    IReadOnlyList<FeedOrderItem> Items,
    DateTime? CreatedAt,
    DateTime? ExpiresAt,
    string? PaymentId,
    DateTime? PaidAt,
    DateTime? ExpiredAt,
    FeedFulfillment Fulfillment,
    DateTime? CancelledAt = null,
    IReadOnlyList<FeedRefund>? Refunds = null);

public sealed record FeedOrderItem(string Sku, int Quantity, decimal UnitPrice);

public sealed record FeedFulfillment(FeedStep Points, FeedStep Coupon, FeedStep Sms, FeedStep Shipment)
{
    public static readonly FeedFulfillment Pending = new(FeedStep.Pending, FeedStep.Pending, FeedStep.Pending, FeedStep.Pending);
}

/// <summary>A fulfillment step: Pending (At null), Done or Failed.</summary>
public sealed record FeedStep(string Status, DateTime? At)
{
    public static readonly FeedStep Pending = new("Pending", null);
}

/// <summary>
/// A refund of a payment of the order, with the fields GET /api/orders/{id} shows (<see cref="RefundId"/>,
/// <see cref="Status"/>, <see cref="RequestedAt"/>, <see cref="CompletedAt"/>). <see cref="State"/> repeats the status
/// and <see cref="At"/> is when it entered it: the first fields of the feed, kept because fields are only ever added.
/// </summary>
public sealed record FeedRefund(
    string PaymentId,
    decimal Amount,
    string Reason,
    string State,
    DateTime At,
    Guid? RefundId = null,
    string? Status = null,
    DateTime? RequestedAt = null,
    DateTime? CompletedAt = null);

/// <summary>What one event changed: the step of a FulfillmentChanged, the refund of a RefundChanged.</summary>
public sealed record FeedChange(string? Step = null, string? Status = null, FeedRefund? Refund = null);
