using System.Diagnostics;
using System.Text.Json;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.BuildingBlocks.Outbox;

/// <summary>
/// A module's outbox: integration events written in the same transaction as the module's own changes,
/// then published to RabbitMQ by that module's relay.
/// </summary>
public sealed class Outbox
{
    internal static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private const string Columns = "(message_id, message_type, payload, trace_parent, created_at)";
    private const string Values = "@MessageId, @MessageType, @Payload, @TraceParent, @CreatedAt";

    private readonly string _insertSql;
    private readonly string _insertIfPreviousInsertedSql;
    private readonly string _recordSql;
    private readonly string _recordIfPreviousInsertedSql;

    internal Outbox(string tableName)
    {
        Table = SqlIdentifier.Require(tableName);
        _insertSql = $"INSERT INTO {Table} {Columns} VALUES ({Values})";
        // ROW_COUNT() is what the statement before this one in the same batch changed.
        _insertIfPreviousInsertedSql = $"INSERT INTO {Table} {Columns} SELECT {Values} FROM DUAL WHERE ROW_COUNT() = 1";
        // Born dispatched: the relay claims only rows whose dispatched_at is NULL, so it never publishes these.
        _recordSql = $"INSERT INTO {Table} (message_id, message_type, payload, trace_parent, created_at, dispatched_at) VALUES ({Values}, @CreatedAt)";
        _recordIfPreviousInsertedSql = $"INSERT INTO {Table} (message_id, message_type, payload, trace_parent, created_at, dispatched_at) SELECT {Values}, @CreatedAt FROM DUAL WHERE ROW_COUNT() = 1";
    }

    public string Table { get; }

    internal OutboxSignal Signal { get; } = new();

    /// <summary>The insert as a batch command, so a caller can send it in the same round trip as its own writes.</summary>
    public MySqlBatchCommand CreateInsert<T>(Guid messageId, T message, DateTime now) where T : class =>
        CreateInsert(_insertSql, messageId, message, now);

    /// <summary>
    /// The insert as a batch command that writes the row only when the command just before it in the batch inserted or
    /// changed exactly one row: an event that reports a change goes out only when the change really happened.
    /// </summary>
    public MySqlBatchCommand CreateInsertIfPreviousInserted<T>(Guid messageId, T message, DateTime now) where T : class =>
        CreateInsert(_insertIfPreviousInsertedSql, messageId, message, now);

    /// <summary>
    /// A row the relay never publishes (it is written already marked dispatched): a change that only a reader of the
    /// outbox table in id order needs, such as the order feed. It costs the caller one insert and the broker nothing.
    /// </summary>
    public MySqlBatchCommand CreateRecord<T>(Guid messageId, T message, DateTime now) where T : class =>
        CreateInsert(_recordSql, messageId, message, now);

    /// <summary>A row the relay never publishes (<see cref="CreateRecord{T}"/>), written only when the command just before it changed one row.</summary>
    public MySqlBatchCommand CreateRecordIfPreviousInserted<T>(Guid messageId, T message, DateTime now) where T : class =>
        CreateInsert(_recordIfPreviousInsertedSql, messageId, message, now);

    /// <summary>
    /// Many events of one type in one multi-row insert, for a caller that writes a batch of them at once: one statement
    /// instead of one per row. Each row gets a new message id.
    /// </summary>
    public MySqlBatchCommand CreateInsertMany<T>(IReadOnlyList<T> messages, DateTime now) where T : class
    {
        // Numbered parameter names only; every value is a parameter.
        var rows = string.Join(", ", Enumerable.Range(0, messages.Count).Select(i => $"(@MessageId{i}, @MessageType, @Payload{i}, @TraceParent, @CreatedAt)"));
        var command = new MySqlBatchCommand($"INSERT INTO {Table} {Columns} VALUES {rows}")
        {
            Parameters =
            {
                new MySqlParameter("@MessageType", OutboxMessageTypes.NameOf(typeof(T))),
                new MySqlParameter("@TraceParent", Activity.Current?.Id),
                new MySqlParameter("@CreatedAt", now),
            },
        };
        for (var i = 0; i < messages.Count; i++)
        {
            command.Parameters.Add(new MySqlParameter($"@MessageId{i}", Guid.CreateVersion7()));
            command.Parameters.Add(new MySqlParameter($"@Payload{i}", JsonSerializer.Serialize(messages[i], PayloadJson)));
        }
        return command;
    }

    private MySqlBatchCommand CreateInsert<T>(string sql, Guid messageId, T message, DateTime now) where T : class
    {
        // A span of its own marks the row in the trace; the relay's publish continues as its child.
        using var span = Telemetry.Source.StartActivity("outbox write " + typeof(T).Name, ActivityKind.Producer);
        span?.SetTag("messaging.message.id", messageId);
        span?.SetTag("outbox.table", Table);
        return new MySqlBatchCommand(sql)
        {
            Parameters =
            {
                new MySqlParameter("@MessageId", messageId),
                new MySqlParameter("@MessageType", OutboxMessageTypes.NameOf(typeof(T))),
                new MySqlParameter("@Payload", JsonSerializer.Serialize(message, PayloadJson)),
                // The W3C trace context, so the relay's publish continues the trace of the request that wrote the row.
                new MySqlParameter("@TraceParent", Activity.Current?.Id),
                new MySqlParameter("@CreatedAt", now),
            },
        };
    }

    /// <summary>Call after the commit: the relay publishes at once instead of at its next poll.</summary>
    public void NotifyCommitted() => Signal.Notify();
}
