using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Order.ChangeLog;

/// <summary>
/// Records a refund's changes into Order's outbox in the order of their versions, whatever order the bus brings them in
/// (two relays, a redelivery, several consumers at once): a change whose predecessor is not recorded yet waits in
/// order_refund_changes, and the predecessor's arrival records both, in one transaction. The rows stay, one per change
/// (as the inbox keeps one per message): the refund's highest recorded version is the mark the next one must follow.
/// </summary>
internal sealed class RefundChangesInOrder(ModuleStore<ModuleTag> orders)
{
    // Only when the inbox row before it was new: a redelivered message adds nothing.
    private const string HoldSql = """
        INSERT IGNORE INTO order_refund_changes (refund_id, version, order_id, payment_id, amount, reason, status, occurred_at)
        SELECT @RefundId, @Version, @OrderId, @PaymentId, @Amount, @Reason, @Status, @OccurredAt FROM DUAL WHERE ROW_COUNT() = 1
        """;

    // The lock serializes two changes of one refund consumed at once (by two hosts): one waits, or one deadlocks and is
    // retried as an outage.
    private const string LockSql = """
        SELECT version AS Version, order_id AS OrderId, payment_id AS PaymentId, amount AS Amount, reason AS Reason,
               status AS Status, occurred_at AS OccurredAt, recorded AS Recorded
        FROM order_refund_changes WHERE refund_id = @RefundId ORDER BY version FOR UPDATE
        """;

    private const string MarkRecordedSql = """
        UPDATE order_refund_changes SET recorded = TRUE WHERE refund_id = @RefundId AND version BETWEEN @First AND @Last
        """;

    public async Task RecordAsync(RefundChanged change, Guid messageId, string consumer, DateTime now, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var hold = new MySqlBatch(connection, transaction))
        {
            hold.BatchCommands.Add(orders.Inbox.CreateRecord(messageId, consumer, now));
            hold.BatchCommands.Add(new MySqlBatchCommand(HoldSql)
            {
                Parameters =
                {
                    new("@RefundId", change.RefundId), new("@Version", change.Version), new("@OrderId", change.OrderId),
                    new("@PaymentId", change.PaymentId), new("@Amount", change.Amount), new("@Reason", change.Reason),
                    new("@Status", change.Status), new("@OccurredAt", change.OccurredAt),
                },
            });
            await hold.ExecuteNonQueryAsync(ct);
        }
        var changes = (await connection.QueryAsync<HeldChange>(new CommandDefinition(
            LockSql, new { change.RefundId }, transaction, cancellationToken: ct))).AsList();
        var due = Due(changes);
        if (due.Count > 0)
        {
            await using var record = new MySqlBatch(connection, transaction);
            foreach (var held in due)
            {
                var recorded = new OrderRefundChanged(held.OrderId, change.RefundId, held.PaymentId, held.Amount, held.Reason,
                    held.Status, DateTime.SpecifyKind(held.OccurredAt, DateTimeKind.Utc));
                record.BatchCommands.Add(orders.Outbox.CreateRecord(Guid.CreateVersion7(), recorded, now));
            }
            record.BatchCommands.Add(new MySqlBatchCommand(MarkRecordedSql)
            {
                Parameters = { new("@RefundId", change.RefundId), new("@First", due[0].Version), new("@Last", due[^1].Version) },
            });
            await record.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>The held changes that follow the highest recorded version without a gap, in version order.</summary>
    internal static IReadOnlyList<HeldChange> Due(IReadOnlyList<HeldChange> changes)
    {
        var mark = changes.Where(c => c.Recorded).Select(c => c.Version).DefaultIfEmpty(0).Max();
        var due = new List<HeldChange>();
        foreach (var held in changes.Where(c => !c.Recorded && c.Version > mark).OrderBy(c => c.Version))
        {
            if (held.Version != mark + 1)
            {
                break; // a gap: the rest waits for the change that fills it
            }
            due.Add(held);
            mark = held.Version;
        }
        return due;
    }

    internal sealed record HeldChange(
        int Version, Guid OrderId, string PaymentId, decimal Amount, string Reason, string Status, DateTime OccurredAt, bool Recorded);
}
