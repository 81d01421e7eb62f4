namespace OrderSystem.Order.Contracts;

/// <summary>
/// Order's read-and-repair port for the operator console: what operators ask about orders, answered from Order's own
/// tables, so the console never reads them itself. It exists only in a process that runs Order.
/// </summary>
public interface IOrderOperations
{
    /// <summary>How many orders are in each status.</summary>
    Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(CancellationToken ct);

    /// <summary>Unpaid orders whose payment window ends after <paramref name="from"/> and at or before <paramref name="to"/>.</summary>
    Task<long> CountDueAsync(DateTime from, DateTime to, CancellationToken ct);

    /// <summary>Orders whose id, user id or payment id is <paramref name="term"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<OrderSummary>> SearchAsync(string term, int limit, CancellationToken ct);

    /// <summary>The order's life so far, or null when there is no such order.</summary>
    Task<OrderJourney?> JourneyAsync(Guid orderId, CancellationToken ct);

    /// <summary>Closes an unpaid (Created) order before its window ends. Pressing twice answers <see cref="CloseOutcome.AlreadyClosed"/>.</summary>
    Task<CloseOutcome> CloseUnpaidAsync(Guid orderId, string reason, CancellationToken ct);
}

/// <summary>One order in a search result.</summary>
public sealed record OrderSummary(Guid OrderId, string UserId, string Status, decimal TotalAmount, string? PaymentId, DateTime CreatedAt);

/// <summary>An order and what happened to it, each with its time; null times have not happened.</summary>
public sealed record OrderJourney(
    OrderSummary Order, DateTime ExpiresAt, DateTime? PaidAt, DateTime? ExpiredAt, DateTime? CancelledAt, string? CancelReason,
    IReadOnlyList<FulfillmentStepState> Steps);

/// <summary>One fulfillment step as the module carrying it out last reported it ("Pending" with no time when none has).</summary>
public sealed record FulfillmentStepState(string Step, string Status, DateTime? At);

public enum CloseOutcome
{
    Closed,
    AlreadyClosed,
    NotFound,
    /// <summary>The order is paid, expired or cancelled otherwise: closing it early does not apply.</summary>
    NotUnpaid,
}
