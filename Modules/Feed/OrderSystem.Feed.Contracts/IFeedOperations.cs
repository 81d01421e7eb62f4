namespace OrderSystem.Feed.Contracts;

/// <summary>
/// The feed's read port for the operator console: how far behind the stream is, and which of Order's changes each of an
/// order's events came from. It exists only in a process that runs the Feed module.
/// </summary>
public interface IFeedOperations
{
    /// <summary>The cursor and the age of the oldest change not on the stream yet.</summary>
    Task<FeedLag> LagAsync(CancellationToken ct);

    /// <summary>The order's events still kept (<c>Feed:MaxAgeHours</c>), in its version order.</summary>
    Task<IReadOnlyList<FeedEventSource>> EventsOfAsync(Guid orderId, CancellationToken ct);
}

/// <summary>
/// <see cref="LastSequence"/> events sequenced, <see cref="PublishedSequence"/> of them confirmed by the broker;
/// <see cref="OldestWaitingSince"/> is when the oldest change not confirmed yet happened (sequenced or not), null when
/// the stream is caught up.
/// </summary>
public sealed record FeedLag(long LastSequence, long PublishedSequence, DateTime? OldestWaitingSince);

/// <summary>
/// One feed event of an order and the position (Order's outbox row id) of the change it came from. For
/// <c>FulfillmentChanged</c> <see cref="Step"/> and its <see cref="State"/> are set; for <c>RefundChanged</c>
/// <see cref="RefundId"/> and the state it entered.
/// </summary>
public sealed record FeedEventSource(
    long Sequence, int Version, string Type, DateTime OccurredAt, long SourcePosition, string? Step, Guid? RefundId, string? State);
