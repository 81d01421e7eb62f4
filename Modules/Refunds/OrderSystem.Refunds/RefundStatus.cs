namespace OrderSystem.Refunds;

/// <summary>
/// The refund's states. Requested (written with its cause) → Submitted (we are asking the provider; the answer may be
/// lost) → Processing (the provider took it) → Succeeded | Closed (no money moved: an operator may reissue) |
/// ManualReview (the provider answered ABNORMAL or refused the request) → Resolved (an operator's note).
/// </summary>
internal static class RefundStatus
{
    public const string Requested = "Requested";
    public const string Submitted = "Submitted";
    public const string Processing = "Processing";
    public const string Succeeded = "Succeeded";
    public const string Closed = "Closed";
    public const string ManualReview = "ManualReview";
    public const string Resolved = "Resolved";

    public static readonly string[] All = [Requested, Submitted, Processing, Succeeded, Closed, ManualReview, Resolved];

    /// <summary>States the processor still works on: it asks the provider until they end.</summary>
    public static readonly string[] InFlight = [Requested, Submitted, Processing];
}
