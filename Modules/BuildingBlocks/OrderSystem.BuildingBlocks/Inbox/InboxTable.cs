using System.Data.Common;
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
    /// Handles a message once, in one transaction: records the message id, applies <paramref name="effect"/> (an INSERT
    /// IGNORE on a table keyed by the order, so neither a redelivery nor a duplicate under another message id applies it
    /// twice) and reports it only when the effect was new. The report is <paramref name="inProcessReport"/> when the module
    /// it is for runs in this process and hands out its own write for it (Order's fulfillment view); else
    /// <paramref name="reportIfApplied"/>, written into the module's outbox, whose relay is woken after the commit.
    /// Messages handled at the same time, by any module on the same database, share one transaction and one round trip
    /// (<see cref="GroupCommit.For"/>); a failure
    /// still belongs to its own message alone.
    /// </summary>
    public async Task ApplyOnceAsync<TReport>(Db db, Outbox.Outbox outbox, Guid messageId, string consumer,
        DateTime now, MySqlBatchCommand effect, TReport reportIfApplied, DbBatchCommand? inProcessReport) where TReport : class
    {
        var record = CreateRecord(messageId, consumer, now);
        if (inProcessReport is not null)
        {
            await GroupCommit.For(db).RunAsync(db, record, effect, (MySqlBatchCommand)inProcessReport);
            return;
        }
        var report = outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(), reportIfApplied, now);
        await GroupCommit.For(db).RunAsync(db, record, effect, report);
        // In a shared transaction nobody can tell whether this message's report was written: a redelivery costs at most
        // one needless relay pass.
        outbox.NotifyCommitted();
    }

    /// <summary>
    /// The record of one handled message, for a consumer whose effect does not fit <see cref="ApplyOnceAsync{TReport}"/>
    /// (several statements): it goes first in the consumer's own transaction and changes one row only the first time.
    /// </summary>
    public MySqlBatchCommand CreateRecord(Guid messageId, string consumer, DateTime now) => new(_insertSql)
    {
        Parameters = { new("@MessageId", messageId), new("@Consumer", consumer), new("@Now", now) },
    };

    /// <summary>A cheap check before slow third-party calls; the transactional record above stays the real guard.</summary>
    public async Task<bool> HasSeenAsync(Db db, Guid messageId, string consumer, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            _existsSql, new { MessageId = messageId, Consumer = consumer }, cancellationToken: ct));
    }
}
