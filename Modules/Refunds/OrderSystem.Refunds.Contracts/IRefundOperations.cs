namespace OrderSystem.Refunds.Contracts;

/// <summary>
/// Refunds' read-and-repair port for the operator console, on Refunds' own tables. The actions behave as the admin routes
/// under /api/admin/refunds do: each is idempotent.
/// </summary>
public interface IRefundOperations
{
    /// <summary>How many refunds are in each state, and the oldest Processing one's request time (null when none).</summary>
    Task<RefundSummary> SummarizeAsync(CancellationToken ct);

    /// <summary>An order's refunds, oldest first, with their attempts and notes.</summary>
    Task<IReadOnlyList<RefundDetail>> ForOrderAsync(Guid orderId, CancellationToken ct);

    /// <summary>Reissues a Closed refund; a second press answers the same new refund.</summary>
    Task<RefundActionResult> ReissueAsync(Guid refundId, CancellationToken ct);

    /// <summary>Resolves a refund in ManualReview with the operator's note; a second press changes nothing.</summary>
    Task<RefundActionResult> ResolveAsync(Guid refundId, string note, CancellationToken ct);
}

public sealed record RefundSummary(IReadOnlyDictionary<string, long> ByState, DateTime? OldestProcessingSince);

public sealed record RefundDetail(
    Guid RefundId, string PaymentId, decimal Amount, string Reason, string Status, DateTime RequestedAt, DateTime? CompletedAt,
    int Attempts, string? Note, Guid? ReissuedAs);

/// <summary>What a refund action did: Done, AlreadyDone, NotFound or Refused, with words for the operator.</summary>
public sealed record RefundActionResult(string Outcome, string Detail);
