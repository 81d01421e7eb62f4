using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Refunds;

/// <summary>
/// Every change of a refund's state, each in one transaction with its RefundChanged outbox row. A move names the states it
/// may start from, so two hosts, a webhook and a query racing for one refund change it once.
/// </summary>
internal sealed class RefundTransitions(ModuleStore<ModuleTag> refunds, TimeProvider clock)
{
    // Runs only in a move that happened: the refund's row was read under its lock in the same transaction.
    private const string GiveBackCaptureSql = "UPDATE refunds_payments SET refunded = refunded - @Amount WHERE payment_id = @PaymentId";

    private const string MarkReissuedSql =
        "UPDATE refunds_refunds SET reissued_as = @New WHERE refund_id = @Old AND status = 'Closed' AND reissued_as IS NULL";

    // The CHECK constraint would refuse more than the capture; the condition says so without an error.
    private const string TakeCaptureAgainSql = """
        UPDATE refunds_payments SET refunded = refunded + @Amount
        WHERE payment_id = @PaymentId AND ROW_COUNT() = 1 AND refunded + @Amount <= captured
        """;

    private const string InsertReissueSql = """
        INSERT INTO refunds_refunds (refund_id, payment_id, order_id, amount, reason, status, requested_at, next_attempt_at, reissued_from)
        SELECT @New, @PaymentId, @OrderId, @Amount, @Reason, 'Requested', @Now, @Now, @Old FROM DUAL WHERE ROW_COUNT() = 1
        """;

    public async Task<StoredRefund?> LoadAsync(Guid refundId, CancellationToken ct)
    {
        await using var connection = await refunds.Db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<StoredRefund>(new CommandDefinition(
            $"SELECT {StoredRefund.Columns} FROM refunds_refunds WHERE refund_id = @Id", new { Id = refundId }, cancellationToken: ct));
    }

    /// <summary>
    /// Moves the refund from one of <paramref name="from"/> to <paramref name="to"/>; false when it was in none of them.
    /// An end state sets completed_at; Closed gives the amount back to the payment's capture, since no money moved.
    /// The row is read under its lock first, so the event carries the version this move gives the refund.
    /// </summary>
    public async Task<bool> MoveAsync(StoredRefund refund, IReadOnlyList<string> from, string to, CancellationToken ct,
        string? note = null, TimeSpan? nextAttemptIn = null)
    {
        var now = clock.UtcNowForDatabase();
        var final = to is RefundStatus.Succeeded or RefundStatus.Closed or RefundStatus.ManualReview or RefundStatus.Resolved;
        await using var connection = await refunds.Db.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var version = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT version FROM refunds_refunds WHERE refund_id = @Id AND status IN @From FOR UPDATE",
            new { Id = refund.RefundId, From = from }, transaction, cancellationToken: ct));
        if (version is null)
        {
            return false; // disposing the transaction rolls it back
        }
        var move = new MySqlBatchCommand("""
            UPDATE refunds_refunds SET status = @To, completed_at = IF(@Final, COALESCE(completed_at, @Now), completed_at),
                   note = COALESCE(@Note, note), next_attempt_at = @Next, last_error = NULL, version = version + 1
            WHERE refund_id = @Id
            """)
        {
            Parameters =
            {
                new("@To", to), new("@Final", final), new("@Now", now), new("@Note", note), new("@Id", refund.RefundId),
                new("@Next", now + (nextAttemptIn ?? TimeSpan.Zero)),
            },
        };
        var changed = new RefundChanged(refund.RefundId, refund.OrderId, refund.PaymentId, refund.Amount, refund.Reason, to, now, version.Value + 1);
        await using var batch = new MySqlBatch(connection, transaction)
        {
            BatchCommands = { move, refunds.Outbox.CreateInsert(Guid.CreateVersion7(), changed, now) },
        };
        if (to == RefundStatus.Closed)
        {
            batch.BatchCommands.Add(new MySqlBatchCommand(GiveBackCaptureSql)
            {
                Parameters = { new("@Amount", refund.Amount), new("@PaymentId", refund.PaymentId) },
            });
        }
        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        refunds.Outbox.NotifyCommitted();
        return true;
    }

    /// <summary>
    /// A new refund (a new id: the only way one is minted) for a Closed one, within the payment's capture again, in one
    /// transaction; null when it was reissued already or the capture is used up.
    /// </summary>
    public async Task<Guid?> ReissueAsync(StoredRefund closed, CancellationToken ct)
    {
        var newId = Guid.CreateVersion7();
        var now = clock.UtcNowForDatabase();
        await using var connection = await refunds.Db.OpenAsync(ct);
        await using var batch = new MySqlBatch(connection)
        {
            BatchCommands =
            {
                InlineTransaction.Start(),
                new MySqlBatchCommand(MarkReissuedSql) { Parameters = { new("@New", newId), new("@Old", closed.RefundId) } },
                new MySqlBatchCommand(TakeCaptureAgainSql) { Parameters = { new("@Amount", closed.Amount), new("@PaymentId", closed.PaymentId) } },
                new MySqlBatchCommand(InsertReissueSql)
                {
                    Parameters =
                    {
                        new("@New", newId), new("@PaymentId", closed.PaymentId), new("@OrderId", closed.OrderId),
                        new("@Amount", closed.Amount), new("@Reason", RefundReasons.Reissue), new("@Now", now), new("@Old", closed.RefundId),
                    },
                },
                refunds.Outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(), new RefundChanged(newId, closed.OrderId,
                    closed.PaymentId, closed.Amount, RefundReasons.Reissue, RefundStatus.Requested, now, Version: 1), now),
            },
        };
        var done = await InlineTransaction.ExecuteAsync(batch, ct) == 4;
        await InlineTransaction.EndAsync(connection, commit: done, ct);
        if (done)
        {
            refunds.Outbox.NotifyCommitted();
        }
        return done ? newId : null;
    }

    /// <summary>Leaves the state as it is and asks again later (the provider was unreachable or the answer ambiguous).</summary>
    public async Task RetryLaterAsync(Guid refundId, TimeSpan after, string error, CancellationToken ct)
    {
        await using var connection = await refunds.Db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refunds_refunds SET next_attempt_at = @Next, last_error = @Error WHERE refund_id = @Id",
            new { Next = clock.UtcNowForDatabase() + after, Error = error.Length > 1000 ? error[..1000] : error, Id = refundId },
            cancellationToken: ct));
    }
}
