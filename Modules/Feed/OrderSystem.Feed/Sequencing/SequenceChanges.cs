using System.Text.Json;
using Dapper;
using MySqlConnector;
using OrderSystem.Feed.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Feed.Sequencing;

/// <summary>
/// One sequencing transaction: Order's next committed changes become feed events with the next sequences, the touched
/// orders' states and versions move on, and the cursor records both the source position and the last sequence, all in
/// one commit. The cursor's update checks the values it was read with, so two sequencers could never hand out one
/// sequence twice even if the lock failed; the unique (order_id, version) says the same per order.
/// </summary>
internal sealed class SequenceChanges(IOrderChangeLog changes, TimeProvider clock)
{
    internal const string EnsureCursorSql =
        "INSERT IGNORE INTO feed_cursor (id, source_position, last_sequence, published_sequence) VALUES (1, 0, 0, 0)";

    internal const string CursorSql =
        "SELECT source_position AS SourcePosition, last_sequence AS LastSequence, published_sequence AS PublishedSequence FROM feed_cursor WHERE id = 1";

    private const string StatesSql = "SELECT order_id AS OrderId, version AS Version, state AS State FROM feed_orders WHERE order_id IN @Ids";

    private const string MoveCursorSql = """
        UPDATE feed_cursor SET source_position = @Through, last_sequence = @Last
        WHERE id = 1 AND source_position = @From AND last_sequence = @Expected
        """;

    internal sealed record Cursor(long SourcePosition, long LastSequence, long PublishedSequence);

    private sealed record StoredState(Guid OrderId, int Version, string State);

    private sealed record Tracked(int Version, long Sequence, FeedOrder State);

    /// <summary>Sequences what Order committed since the cursor; returns the number of events written.</summary>
    public async Task<int> RunAsync(MySqlConnection connection, int batchSize, PassTimings timings, CancellationToken ct)
    {
        var phase = timings.Time("cursor");
        await connection.ExecuteAsync(new CommandDefinition(EnsureCursorSql, cancellationToken: ct));
        var cursor = await connection.QuerySingleAsync<Cursor>(new CommandDefinition(CursorSql, cancellationToken: ct));
        phase.Dispose();
        phase = timings.Time("read");
        var batch = await changes.ReadAfterAsync(cursor.SourcePosition, batchSize, ct);
        phase.Dispose();
        if (batch.Through == cursor.SourcePosition)
        {
            return 0;
        }
        phase = timings.Time("states");
        var ids = batch.Changes.Select(c => OrderProjection.OrderIdOf(c.Event)).Distinct().ToList();
        var orders = ids.Count == 0 ? [] : (await connection.QueryAsync<StoredState>(new CommandDefinition(
                StatesSql, new { Ids = ids }, cancellationToken: ct)))
            .ToDictionary(s => s.OrderId, s => new Tracked(s.Version, 0, JsonSerializer.Deserialize<FeedOrder>(s.State, FeedEvent.Json)!));
        phase.Dispose();
        phase = timings.Time("project");
        var touched = new HashSet<Guid>();
        var now = clock.GetUtcNow().UtcDateTime;
        var sequence = cursor.LastSequence;

        var events = new List<SequencedRows.EventRow>();
        foreach (var change in batch.Changes)
        {
            var orderId = OrderProjection.OrderIdOf(change.Event);
            var tracked = orders.GetValueOrDefault(orderId);
            foreach (var produced in OrderProjection.Apply(tracked?.State, change.Event))
            {
                tracked = new Tracked((tracked?.Version ?? 0) + 1, ++sequence, produced.State);
                orders[orderId] = tracked;
                touched.Add(orderId);
                var feedEvent = new FeedEvent(sequence, orderId, tracked.Version, produced.Type, produced.OccurredAt, produced.State, produced.Change);
                events.Add(new(sequence, orderId, tracked.Version, produced.Type, produced.OccurredAt, change.Position, feedEvent.ToJson()));
            }
        }

        phase.Dispose();
        phase = timings.Time("write");
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (events.Count > 0)
        {
            var states = touched.Select(id => new SequencedRows.StateRow(id, orders[id].Version, orders[id].Sequence,
                JsonSerializer.Serialize(orders[id].State, FeedEvent.Json))).ToList();
            await using var write = new MySqlBatch(connection, tx)
            {
                BatchCommands = { SequencedRows.InsertEvents(events, now), SequencedRows.UpsertStates(states) },
            };
            await write.ExecuteNonQueryAsync(ct);
        }
        // Checked on its own: a batch reports only its total of rows.
        var moved = await connection.ExecuteAsync(new CommandDefinition(MoveCursorSql,
            new { batch.Through, Last = sequence, From = cursor.SourcePosition, Expected = cursor.LastSequence }, tx, cancellationToken: ct));
        if (moved != 1)
        {
            await tx.RollbackAsync(ct);
            throw new InvalidOperationException("The feed's cursor moved under this sequencer: another one is running. Backing off.");
        }
        await tx.CommitAsync(ct);
        phase.Dispose();
        return (int)(sequence - cursor.LastSequence);
    }
}
