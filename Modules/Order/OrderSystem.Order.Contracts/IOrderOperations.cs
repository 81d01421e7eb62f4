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

    /// <summary>The deadline of the unpaid order longest past it and not closed yet (null: none), at <paramref name="now"/>.</summary>
    Task<DateTime?> OldestOverdueAsync(DateTime now, CancellationToken ct);

    /// <summary>Orders whose id, user id or payment id is <paramref name="term"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<OrderSummary>> SearchAsync(string term, int limit, CancellationToken ct);

    /// <summary>The order's life so far, or null when there is no such order.</summary>
    Task<OrderJourney?> JourneyAsync(Guid orderId, CancellationToken ct);

    /// <summary>
    /// How long each fulfillment step took after the payment (step Done at minus paid at), over the steps of the
    /// <paramref name="latestOrders"/> newest orders that are paid; steps of theirs not done yet count as pending.
    /// </summary>
    Task<IReadOnlyList<FulfillmentLag>> FulfillmentLagAsync(int latestOrders, CancellationToken ct);

    /// <summary>
    /// The messages Order wrote at these change-log positions (outbox row ids), with their trace context: the message ids
    /// and trace ids of an order's journey, found through the feed's events of the order. Positions no longer kept are left out.
    /// </summary>
    Task<IReadOnlyList<OrderMessage>> MessagesAtAsync(IReadOnlyCollection<long> positions, CancellationToken ct);

    /// <summary>Closes an unpaid (Created) order before its window ends. Pressing twice answers <see cref="CloseOutcome.AlreadyClosed"/>.</summary>
    Task<CloseOutcome> CloseUnpaidAsync(Guid orderId, string reason, CancellationToken ct);
}

/// <summary>One order in a search result.</summary>
public sealed record OrderSummary(Guid OrderId, string UserId, string Status, decimal TotalAmount, string? PaymentId, DateTime CreatedAt);

/// <summary>An order and what happened to it, each with its time; null times have not happened.</summary>
public sealed record OrderJourney(
    OrderSummary Order, DateTime ExpiresAt, DateTime? PaidAt, DateTime? ExpiredAt, DateTime? CancelledAt, string? CancelReason,
    IReadOnlyList<FulfillmentStepState> Steps);

/// <summary>
/// One fulfillment step as the module carrying it out last reported it ("Pending" with no time when none has): for a Done
/// step, how many delivery attempts it took and the id of the message the module consumed (the order's <c>OrderPaid</c>);
/// for a Failed one, the message that failed. Null where not recorded (steps recorded before these were).
/// </summary>
public sealed record FulfillmentStepState(string Step, string Status, DateTime? At, int? Attempts = null, Guid? MessageId = null);

/// <summary>One step's lag after payment over the sampled orders (milliseconds; null when none of them is done).</summary>
public sealed record FulfillmentLag(string Step, int Done, int Pending, double? P50Ms, double? P99Ms);

/// <summary>
/// A message Order wrote (an outbox row): its id, type and W3C trace context (<c>traceparent</c>, null when the writer
/// had none); <see cref="TraceId"/> is the trace id inside it.
/// </summary>
public sealed record OrderMessage(long Position, Guid MessageId, string MessageType, string? TraceParent)
{
    /// <summary>The 32 hex digits of the trace id in <see cref="TraceParent"/> ("00-&lt;trace id&gt;-&lt;span id&gt;-&lt;flags&gt;"), or null.</summary>
    public string? TraceId => TraceParent?.Split('-') is [_, { Length: 32 } traceId, _, _] ? traceId : null;
}

public enum CloseOutcome
{
    Closed,
    AlreadyClosed,
    NotFound,
    /// <summary>The order is paid, expired or cancelled otherwise: closing it early does not apply.</summary>
    NotUnpaid,
}
