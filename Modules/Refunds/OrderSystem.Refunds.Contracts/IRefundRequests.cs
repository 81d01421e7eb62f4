using MySqlConnector;

namespace OrderSystem.Refunds.Contracts;

/// <summary>
/// Refunds' in-process port for the Order module, as Inventory's stock port: a refund is created in the same transaction
/// as its cause (a payment for an order that cannot take it, a cancelled paid order), so Order adds these commands to
/// its own batch. The refund SQL stays inside Refunds.
/// </summary>
public interface IRefundRequests
{
    /// <summary>
    /// The commands that request a full refund of one payment, for the caller's batch right after the statement that
    /// records the cause: they change rows only if that statement changed one (ROW_COUNT), and then exactly
    /// <see cref="RowsPerRequest"/> rows. A payment is refunded once: for a payment already refunded they change nothing,
    /// so the caller's count falls short and it rolls back.
    /// </summary>
    IReadOnlyList<MySqlBatchCommand> CreateRequestCommands(RefundRequest request, DateTime now);

    /// <summary>Rows the request commands change when the refund is created.</summary>
    int RowsPerRequest { get; }

    /// <summary>Call after the caller's commit: the refund goes out at once instead of at the next poll.</summary>
    void NotifyCommitted();

    /// <summary>The refunds of an order, oldest first, for the order's read API.</summary>
    Task<IReadOnlyList<RefundView>> ForOrderAsync(MySqlConnection connection, Guid orderId, CancellationToken ct);

    /// <summary>Which of these payments have a refund (any state), for reconciliation.</summary>
    Task<IReadOnlySet<string>> RefundedPaymentsAsync(MySqlConnection connection, IReadOnlyCollection<string> paymentIds, CancellationToken ct);
}

/// <summary>A full refund of a payment that captured <paramref name="Amount"/>, for <paramref name="Reason"/>.</summary>
public sealed record RefundRequest(Guid RefundId, Guid OrderId, string PaymentId, decimal Amount, string Reason);

/// <summary>A refund as GET /api/orders/{id} shows it.</summary>
public sealed record RefundView(Guid RefundId, string PaymentId, decimal Amount, string Reason, string Status, DateTime RequestedAt, DateTime? CompletedAt);

/// <summary>Why a refund was created.</summary>
public static class RefundReasons
{
    public const string OutOfStock = "out-of-stock";
    public const string OrderExpired = "order-expired";
    public const string OrderCancelled = "order-cancelled";
    public const string DuplicatePayment = "duplicate-payment";
    public const string Cancellation = "cancellation";
    public const string Reissue = "reissue";
}
