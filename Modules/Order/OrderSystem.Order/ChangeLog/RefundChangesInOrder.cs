using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Order.ChangeLog;

/// <summary>
/// Records a refund's changes into Order's outbox in the order of their versions, whatever order the bus brings them in
/// (two relays, a redelivery, several consumers at once): a change whose predecessor is not recorded yet waits in
/// order_refund_changes, and the predecessor's arrival records both, in one transaction. Of a refund's recorded changes
/// only the latest row stays, as the mark the next version must follow.
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

    private const string MarkSql = "UPDATE order_refund_changes SET recorded = TRUE WHERE refund_id = @RefundId AND version = @Mark";

    private const string ForgetBeforeMarkSql = "DELETE FROM order_refund_changes WHERE refund_id = @RefundId AND version < @Mark";

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
        var due = Due(changes, out var mark);
        // The due changes, and a repeat of one recorded long ago, are now at or below the mark.
        if (changes.Any(c => !c.Recorded && c.Version <= mark))
        {
            await using var record = new MySqlBatch(connection, transaction);
            foreach (var held in due)
            {
                var recorded = new OrderRefundChanged(held.OrderId, change.RefundId, held.PaymentId, held.Amount, held.Reason,
                    held.Status, DateTime.SpecifyKind(held.OccurredAt, DateTimeKind.Utc));
                record.BatchCommands.Add(orders.Outbox.CreateRecord(Guid.CreateVersion7(), recorded, now));
            }
            foreach (var sql in new[] { MarkSql, ForgetBeforeMarkSql })
            {
                record.BatchCommands.Add(new MySqlBatchCommand(sql) { Parameters = { new("@RefundId", change.RefundId), new("@Mark", mark) } });
            }
            await record.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>The held changes that now follow the mark without a gap, in version order, and the mark after them.</summary>
    internal static IReadOnlyList<HeldChange> Due(IReadOnlyList<HeldChange> changes, out int mark)
    {
        mark = changes.Where(c => c.Recorded).Select(c => c.Version).DefaultIfEmpty(0).Max();
        var due = new List<HeldChange>();
        foreach (var held in changes.Where(c => !c.Recorded).OrderBy(c => c.Version))
        {
            if (held.Version <= mark)
            {
                continue; // recorded before, under another message id: forgotten with the rows before the mark
            }
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
