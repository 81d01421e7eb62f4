using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Refunds;

/// <summary>The port Order creates refunds through, inside its own transactions (see <see cref="IRefundRequests"/>).</summary>
internal sealed class RefundRequests(ModuleStore<ModuleTag> refunds) : IRefundRequests
{
    // The payment's capture first: INSERT IGNORE makes a second refund of the same payment change nothing, so the
    // refund row after it (which needs exactly one changed row before it) is not written either.
    private const string RecordCaptureSql = """
        INSERT IGNORE INTO refunds_payments (payment_id, order_id, captured, refunded)
        SELECT @PaymentId, @OrderId, @Amount, @Amount FROM DUAL WHERE ROW_COUNT() > 0
        """;

    private const string InsertRefundSql = """
        INSERT INTO refunds_refunds (refund_id, payment_id, order_id, amount, reason, status, requested_at, next_attempt_at)
        SELECT @RefundId, @PaymentId, @OrderId, @Amount, @Reason, 'Requested', @Now, @Now FROM DUAL WHERE ROW_COUNT() = 1
        """;

    private const string ForOrderSql = """
        SELECT refund_id AS RefundId, payment_id AS PaymentId, amount AS Amount, reason AS Reason, status AS Status,
               requested_at AS RequestedAt, completed_at AS CompletedAt
        FROM refunds_refunds WHERE order_id = @OrderId ORDER BY requested_at, refund_id
        """;

    public int RowsPerRequest => 3;

    public IReadOnlyList<MySqlBatchCommand> CreateRequestCommands(RefundRequest request, DateTime now) =>
    [
        new(RecordCaptureSql)
        {
            Parameters = { new("@PaymentId", request.PaymentId), new("@OrderId", request.OrderId), new("@Amount", request.Amount) },
        },
        new(InsertRefundSql)
        {
            Parameters =
            {
                new("@RefundId", request.RefundId), new("@PaymentId", request.PaymentId), new("@OrderId", request.OrderId),
                new("@Amount", request.Amount), new("@Reason", request.Reason), new("@Now", now),
            },
        },
        refunds.Outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(), new RefundChanged(request.RefundId, request.OrderId,
            request.PaymentId, request.Amount, request.Reason, RefundStatus.Requested, now, Version: 1), now),
    ];

    public void NotifyCommitted()
    {
        refunds.Outbox.NotifyCommitted();
        RefundSignal.Notify();
    }

    public async Task<IReadOnlyList<RefundView>> ForOrderAsync(MySqlConnection connection, Guid orderId, CancellationToken ct) =>
        (await connection.QueryAsync<RefundView>(new CommandDefinition(ForOrderSql, new { OrderId = orderId }, cancellationToken: ct))).AsList();

    public async Task<IReadOnlySet<string>> RefundedPaymentsAsync(
        MySqlConnection connection, IReadOnlyCollection<string> paymentIds, CancellationToken ct) =>
        paymentIds.Count == 0
            ? new HashSet<string>()
            : (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT payment_id FROM refunds_payments WHERE payment_id IN @Ids", new { Ids = paymentIds }, cancellationToken: ct)))
            .ToHashSet(StringComparer.Ordinal);
}
