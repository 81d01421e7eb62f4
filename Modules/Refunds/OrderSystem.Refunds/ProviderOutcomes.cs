using Microsoft.Extensions.Options;

namespace OrderSystem.Refunds;

/// <summary>What the provider said about a refund (in an answer, a query or a webhook), applied to ours.</summary>
internal sealed class ProviderOutcomes(RefundTransitions transitions, IOptions<RefundOptions> options)
{
    public const string AbnormalNote = "The provider answered ABNORMAL: the buyer's account or card can no longer take the money.";

    /// <summary>Returns false for a status the provider does not define.</summary>
    public async Task<bool> ApplyAsync(StoredRefund refund, string providerStatus, CancellationToken ct)
    {
        switch (providerStatus)
        {
            case "PROCESSING" when refund.Status == RefundStatus.Processing:
                // Still working on it: ask again later; no new event for no change.
                await transitions.RetryLaterAsync(refund.RefundId, QueryInterval, "PROCESSING", ct);
                return true;
            case "PROCESSING":
                await transitions.MoveAsync(refund, RefundStatus.InFlight, RefundStatus.Processing, ct, nextAttemptIn: QueryInterval);
                return true;
            case "SUCCESS":
                await transitions.MoveAsync(refund, RefundStatus.InFlight, RefundStatus.Succeeded, ct);
                return true;
            case "CLOSED":
                await transitions.MoveAsync(refund, RefundStatus.InFlight, RefundStatus.Closed, ct,
                    note: "The provider closed the refund (the merchant balance was short); no money moved. An operator may reissue it.");
                return true;
            case "ABNORMAL":
                await transitions.MoveAsync(refund, RefundStatus.InFlight, RefundStatus.ManualReview, ct, note: AbnormalNote);
                return true;
            default:
                return false;
        }
    }

    private TimeSpan QueryInterval => TimeSpan.FromMilliseconds(options.Value.QueryIntervalMs);
}
