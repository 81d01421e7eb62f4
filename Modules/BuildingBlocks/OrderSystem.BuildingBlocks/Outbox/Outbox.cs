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
public sealed class Outbox<TModule> : IOutboxTable
{
    internal static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private readonly string _insertSql;

    internal Outbox(string tableName)
    {
        Table = SqlIdentifier.Require(tableName);
        _insertSql = $"INSERT INTO {Table} (message_id, message_type, payload, trace_parent, created_at) " +
                     "VALUES (@message_id, @message_type, @payload, @trace_parent, @created_at)";
    }

    public string Table { get; }

    OutboxSignal IOutboxTable.Signal => Signal;

    internal OutboxSignal Signal { get; } = new();

    /// <summary>The insert as a batch command, so a caller can send it in the same round trip as its own writes.</summary>
    public MySqlBatchCommand CreateInsert<T>(Guid messageId, T message, DateTime now) where T : class
    {
        // A span of its own marks the row in the trace; the relay's publish continues as its child.
        using var span = Telemetry.Source.StartActivity("outbox write " + typeof(T).Name, ActivityKind.Producer);
        span?.SetTag("messaging.message.id", messageId);
        span?.SetTag("outbox.table", Table);
        return new MySqlBatchCommand(_insertSql)
        {
            Parameters =
            {
                new MySqlParameter("@message_id", messageId),
                new MySqlParameter("@message_type", OutboxMessageTypes.NameOf(typeof(T))),
                new MySqlParameter("@payload", JsonSerializer.Serialize(message, PayloadJson)),
                // The W3C trace context, so the relay's publish continues the trace of the request that wrote the row.
                new MySqlParameter("@trace_parent", Activity.Current?.Id),
                new MySqlParameter("@created_at", now),
            },
        };
    }

    public async Task AddAsync<T>(MySqlTransaction tx, Guid messageId, T message, DateTime now, CancellationToken ct) where T : class
    {
        var insert = CreateInsert(messageId, message, now);
        await using var command = new MySqlCommand(insert.CommandText, tx.Connection, tx);
        foreach (MySqlParameter parameter in insert.Parameters)
        {
            command.Parameters.Add(parameter.Clone());
        }
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Call after the commit: the relay publishes at once instead of at its next poll.</summary>
    public void NotifyCommitted() => Signal.Notify();
}
