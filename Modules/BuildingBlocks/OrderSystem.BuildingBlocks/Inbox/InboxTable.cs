using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;

namespace OrderSystem.BuildingBlocks.Inbox;

/// <summary>
/// A module's record of the messages it has already handled. Recording a message id in the same transaction as
/// the handler's own writes is what makes a redelivered message change nothing.
/// </summary>
public sealed class InboxTable
{
    private readonly string _insertSql;
    private readonly string _existsSql;

    public InboxTable(string tableName)
    {
        var table = SqlIdentifier.Require(tableName);
        Name = table;
        // INSERT IGNORE, not ON DUPLICATE KEY UPDATE: MySqlConnector reports found rows, which counts an
        // unchanged duplicate as 1; an ignored insert counts 0 either way.
        _insertSql = $"INSERT IGNORE INTO {table} (message_id, consumer, processed_at) VALUES (@MessageId, @Consumer, @Now)";
        _existsSql = $"SELECT EXISTS (SELECT 1 FROM {table} WHERE message_id = @MessageId AND consumer = @Consumer)";
    }

    public string Name { get; }

    /// <summary>
    /// Handles a message once, in one transaction and one round trip (an <see cref="InlineTransaction"/>): records the message id, applies
    /// <paramref name="effect"/> (an INSERT IGNORE on a table keyed by the order, so neither a redelivery nor a duplicate
    /// under another message id applies it twice) and writes <paramref name="reportIfApplied"/>, an outbox insert made
    /// with <c>CreateInsertIfPreviousInserted</c>, only when the effect was new. Returns whether it was.
    /// </summary>
    public async Task<bool> ApplyOnceAsync(
        Db db, Guid messageId, string consumer, DateTime now, MySqlBatchCommand effect, MySqlBatchCommand reportIfApplied, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        // The whole transaction, START to COMMIT, is this one batch: one round trip per message.
        await using var batch = new MySqlBatch(connection)
        {
            BatchCommands =
            {
                InlineTransaction.Start(),
                new MySqlBatchCommand(_insertSql)
                {
                    Parameters = { new("@MessageId", messageId), new("@Consumer", consumer), new("@Now", now) },
                },
                effect,
                reportIfApplied,
                InlineTransaction.Commit(),
            },
        };
        // MariaDB reports only the batch's total of rows: 3 is new, 1 a duplicate under another id, 0 a redelivery.
        // The effect and its report go in together or not at all, so 2 or more means the effect was new.
        return await InlineTransaction.ExecuteAsync(batch, ct) >= 2;
    }

    /// <summary>A cheap check before slow third-party calls; the transactional record above stays the real guard.</summary>
    public async Task<bool> HasSeenAsync(Db db, Guid messageId, string consumer, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            _existsSql, new { MessageId = messageId, Consumer = consumer }, cancellationToken: ct));
    }
}
