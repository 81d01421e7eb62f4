using MySqlConnector;

namespace OrderSystem.Feed.Sequencing;

/// <summary>
/// A sequencing pass's writes as two multi-row statements, the events and the touched orders' states, instead of one
/// statement per row: the server parses and runs two statements a pass, not hundreds (the sequencer's cost per event was
/// the feed's bottleneck; docs/performance.md, finding 15). Numbered parameter names only; every value is a parameter.
/// </summary>
internal static class SequencedRows
{
    internal sealed record EventRow(long Sequence, Guid OrderId, int Version, string Type, DateTime OccurredAt, long SourcePosition, string Body);

    internal sealed record StateRow(Guid OrderId, int Version, long Sequence, string State);

    public static MySqlBatchCommand InsertEvents(IReadOnlyList<EventRow> rows, DateTime now)
    {
        var values = string.Join(", ", rows.Select((_, i) => $"(@S{i}, @O{i}, @V{i}, @T{i}, @A{i}, @P{i}, @B{i}, @Now)"));
        var command = new MySqlBatchCommand($"""
            INSERT INTO feed_events (sequence, order_id, version, type, occurred_at, source_position, body, sequenced_at) VALUES {values}
            """) { Parameters = { new("@Now", now) } };
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            command.Parameters.Add(new($"@S{i}", r.Sequence));
            command.Parameters.Add(new($"@O{i}", r.OrderId));
            command.Parameters.Add(new($"@V{i}", r.Version));
            command.Parameters.Add(new($"@T{i}", r.Type));
            command.Parameters.Add(new($"@A{i}", r.OccurredAt));
            command.Parameters.Add(new($"@P{i}", r.SourcePosition));
            command.Parameters.Add(new($"@B{i}", r.Body));
        }
        return command;
    }

    public static MySqlBatchCommand UpsertStates(IReadOnlyList<StateRow> rows)
    {
        var values = string.Join(", ", rows.Select((_, i) => $"(@O{i}, @V{i}, @S{i}, @J{i})"));
        var command = new MySqlBatchCommand($"""
            INSERT INTO feed_orders (order_id, version, sequence, state) VALUES {values}
            ON DUPLICATE KEY UPDATE version = VALUES(version), sequence = VALUES(sequence), state = VALUES(state)
            """);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            command.Parameters.Add(new($"@O{i}", r.OrderId));
            command.Parameters.Add(new($"@V{i}", r.Version));
            command.Parameters.Add(new($"@S{i}", r.Sequence));
            command.Parameters.Add(new($"@J{i}", r.State));
        }
        return command;
    }
}
