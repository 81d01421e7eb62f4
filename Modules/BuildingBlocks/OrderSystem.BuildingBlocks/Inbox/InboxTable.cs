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

    /// <summary>Returns false when the message was handled before: the caller then writes nothing.</summary>
    public async Task<bool> TryRecordAsync(MySqlTransaction tx, Guid messageId, string consumer, DateTime now, CancellationToken ct)
    {
        var inserted = await tx.Connection!.ExecuteAsync(new CommandDefinition(
            _insertSql, new { MessageId = messageId, Consumer = consumer, Now = now }, tx, cancellationToken: ct));
        return inserted == 1;
    }

    /// <summary>
    /// Runs a consumer's writes once per message: the inbox record and <paramref name="work"/> commit together,
    /// and a message seen before does nothing. Returns whether the work ran.
    /// </summary>
    public async Task<bool> RunOnceAsync(
        Db db, Guid messageId, string consumer, TimeProvider clock, Func<MySqlTransaction, DateTime, Task> work, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var now = clock.UtcNowForDatabase();
        if (!await TryRecordAsync(tx, messageId, consumer, now, ct))
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        await work(tx, now);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>A cheap check before slow third-party calls; the transactional record above stays the real guard.</summary>
    public async Task<bool> HasSeenAsync(Db db, Guid messageId, string consumer, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            _existsSql, new { MessageId = messageId, Consumer = consumer }, cancellationToken: ct));
    }
}
