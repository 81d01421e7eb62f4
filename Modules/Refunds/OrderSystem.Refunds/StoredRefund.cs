namespace OrderSystem.Refunds;

/// <summary>A refund row as the processor, the webhook and the operator routes read it.</summary>
internal sealed record StoredRefund(
    Guid RefundId, string PaymentId, Guid OrderId, decimal Amount, string Reason, string Status, DateTime RequestedAt,
    DateTime? CompletedAt, int Attempts, string? LastError, string? Note, Guid? ReissuedFrom, Guid? ReissuedAs)
{
    public const string Columns = """
        refund_id AS RefundId, payment_id AS PaymentId, order_id AS OrderId, amount AS Amount, reason AS Reason, status AS Status,
        requested_at AS RequestedAt, completed_at AS CompletedAt, attempts AS Attempts, last_error AS LastError, note AS Note,
        reissued_from AS ReissuedFrom, reissued_as AS ReissuedAs
        """;
}
