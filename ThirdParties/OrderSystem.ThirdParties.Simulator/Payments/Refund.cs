namespace OrderSystem.ThirdParties.Simulator.Payments;

/// <summary>A refund as the provider shows it: in its answers, its status queries and its ledger.</summary>
internal sealed record Refund(Guid RefundId, string PaymentId, Guid OrderId, decimal Amount, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

/// <summary>A refund's states, as WeChat Pay v3 names them. PROCESSING ends in one of the other three, once.</summary>
internal static class RefundStatus
{
    public const string Processing = "PROCESSING";

    /// <summary>The money went back to the buyer: the only state in which money moved.</summary>
    public const string Success = "SUCCESS";

    /// <summary>The merchant's balance was short; nothing moved. Only a new refund (a new id) can try again.</summary>
    public const string Closed = "CLOSED";

    /// <summary>The buyer's card or account was closed; nothing moved. A human settles it elsewhere.</summary>
    public const string Abnormal = "ABNORMAL";
}
