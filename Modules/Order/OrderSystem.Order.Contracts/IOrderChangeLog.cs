namespace OrderSystem.Order.Contracts;

/// <summary>
/// Order's in-process port for the order feed: the changes Order's transactions committed, in the order of their
/// position (the outbox row's id), so the feed never reads Order's tables itself. It exists only in a process that runs
/// Order.
/// </summary>
public interface IOrderChangeLog
{
    /// <summary>
    /// The committed changes after <paramref name="position"/>, at most <paramref name="max"/>, in position order. It stops
    /// before a position that a transaction still in flight may yet commit, so nothing is ever passed over: a reader that
    /// continues from <see cref="OrderChangeBatch.Through"/> sees every change exactly once.
    /// </summary>
    Task<OrderChangeBatch> ReadAfterAsync(long position, int max, CancellationToken ct);

    /// <summary>When the first change after <paramref name="position"/> was written, or null when there is none yet (a reader's lag).</summary>
    Task<DateTime?> FirstAfterAsync(long position, CancellationToken ct);
}

/// <summary>
/// Changes read in one go. <see cref="Through"/> is the position to continue from: it also covers rows the feed does not
/// describe (events of other features) and positions that will never commit (rolled-back transactions).
/// </summary>
public sealed record OrderChangeBatch(IReadOnlyList<OrderChange> Changes, long Through);

/// <summary>One committed change: <see cref="Event"/> is one of Order's contract records (<c>OrderCreated</c>, <c>OrderPaid</c>, ...).</summary>
public sealed record OrderChange(long Position, object Event);
