using System.Text.Json;
using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Feed.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Feed.Sequencing;

/// <summary>
/// One sequencing transaction: Order's next committed changes become feed events with the next sequences, the touched
/// orders' states and versions move on, and the cursor records both the source position and the last sequence, all in
/// one commit. The cursor's update checks the values it was read with, so two sequencers could never hand out one
/// sequence twice even if the lock failed; the unique (order_id, version) says the same per order. The cursor and the
/// states are read once when the lock is taken (<see cref="BeginAsync"/>) and then carried in memory: only the lock
/// holder writes them.
/// </summary>
internal sealed class SequenceChanges(IOrderChangeLog changes, TimeProvider clock)
{
    internal const string EnsureCursorSql =
        "INSERT IGNORE INTO feed_cursor (id, source_position, last_sequence, published_sequence) VALUES (1, 0, 0, 0)";

    internal const string CursorSql =
        "SELECT source_position AS SourcePosition, last_sequence AS LastSequence, published_sequence AS PublishedSequence FROM feed_cursor WHERE id = 1";

    private const string StatesSql = "SELECT order_id AS OrderId, version AS Version, sequence AS Sequence, state AS State FROM feed_orders WHERE order_id IN @Ids";

    // It also records what the broker has confirmed so far (the publisher's), so publishing writes nothing of its own.
    private const string MoveCursorSql = """
        UPDATE feed_cursor SET source_position = @Through, last_sequence = @Last, published_sequence = GREATEST(published_sequence, @Confirmed)
        WHERE id = 1 AND source_position = @From AND last_sequence = @Expected
        """;

    internal sealed record Cursor(long SourcePosition, long LastSequence, long PublishedSequence);

    /// <summary>What the lock holder has sequenced: the cursor as it last committed it, and the orders' states.</summary>
    internal sealed class Session(Cursor cursor, int statesCapacity)
    {
        public long SourcePosition { get; set; } = cursor.SourcePosition;

        public long LastSequence { get; set; } = cursor.LastSequence;

        public long PublishedSequence { get; } = cursor.PublishedSequence;

        public FeedStates States { get; } = new(statesCapacity);
    }

    /// <summary>
    /// A pass: its events, in sequence order, whether it read as far as it could (more may be waiting), and whether it
    /// committed a move of the cursor (with the confirmed sequence it was given).
    /// </summary>
    internal sealed record Pass(IReadOnlyList<SequencedRows.EventRow> Events, bool Full, bool Committed = true);

    private sealed record StoredState(Guid OrderId, int Version, long Sequence, string State);

    public static async Task<Session> BeginAsync(LockedConnection db, int statesCapacity, CancellationToken ct) =>
        await db.UseAsync(async connection =>
        {
            await connection.ExecuteAsync(new CommandDefinition(EnsureCursorSql, cancellationToken: ct));
            return new Session(await connection.QuerySingleAsync<Cursor>(new CommandDefinition(CursorSql, cancellationToken: ct)), statesCapacity);
        }, ct);

    /// <summary>Sequences what Order committed since the session's cursor, and moves the session on once committed.</summary>
    public async Task<Pass> RunAsync(LockedConnection db, Session session, int batchSize, long confirmed, PassTimings timings, CancellationToken ct)
    {
        OrderChangeBatch batch;
        using (timings.Time("read"))
        {
            batch = await changes.ReadAfterAsync(session.SourcePosition, batchSize, ct);
        }
        if (batch.Through == session.SourcePosition)
        {
            return new Pass([], Full: false, Committed: false);
        }
        Dictionary<Guid, FeedStates.Tracked> known;
        using (timings.Time("states"))
        {
            known = await StatesOfAsync(db, session.States, batch.Changes, ct);
        }

        var phase = timings.Time("project");
        var touched = new HashSet<Guid>();
        var sequence = session.LastSequence;
        var events = new List<SequencedRows.EventRow>();
        foreach (var change in batch.Changes)
        {
            var orderId = OrderProjection.OrderIdOf(change.Event);
            var tracked = known.GetValueOrDefault(orderId);
            foreach (var produced in OrderProjection.Apply(tracked?.State, change.Event))
            {
                tracked = new FeedStates.Tracked((tracked?.Version ?? 0) + 1, ++sequence, produced.State);
                known[orderId] = tracked;
                touched.Add(orderId);
                var feedEvent = new FeedEvent(sequence, orderId, tracked.Version, produced.Type, produced.OccurredAt, produced.State, produced.Change);
                events.Add(new(sequence, orderId, tracked.Version, produced.Type, produced.OccurredAt, change.Position, feedEvent.ToJson()));
            }
        }
        var states = touched.Select(id => new SequencedRows.StateRow(id, known[id].Version, known[id].Sequence,
            JsonSerializer.Serialize(known[id].State, FeedEvent.Json))).ToList();
        phase.Dispose();

        using (timings.Time("write"))
        {
            var move = new MySqlBatchCommand(MoveCursorSql)
            {
                Parameters =
                {
                    new("@Through", batch.Through), new("@Last", sequence), new("@From", session.SourcePosition), new("@Expected", session.LastSequence),
                    new("@Confirmed", confirmed),
                },
            };
            await db.UseAsync(connection => WriteAsync(connection, events, states, move, ct), ct);
        }
        var read = batch.Through - session.SourcePosition;
        session.SourcePosition = batch.Through;
        session.LastSequence = sequence;
        foreach (var orderId in touched)
        {
            session.States.Set(orderId, known[orderId]);
        }
        return new Pass(events, Full: read >= batchSize);
    }

    // Two round trips: START and the cursor's checked move (the batch's total says whether this sequencer still owns the
    // cursor; START counts nothing), then the rows, and COMMIT once their results are back (decision 0034).
    private async Task WriteAsync(MySqlConnection connection, List<SequencedRows.EventRow> events, List<SequencedRows.StateRow> states,
        MySqlBatchCommand move, CancellationToken ct)
    {
        int moved;
        await using (var claim = new MySqlBatch(connection) { BatchCommands = { InlineTransaction.Start(), move } })
        {
            moved = await InlineTransaction.ExecuteAsync(claim, ct);
        }
        if (moved != 1)
        {
            await InlineTransaction.EndAsync(connection, commit: false, ct);
            throw new InvalidOperationException("The feed's cursor moved under this sequencer: another one is running. Backing off.");
        }
        if (events.Count > 0)
        {
            await using var write = new MySqlBatch(connection)
            {
                BatchCommands = { SequencedRows.InsertEvents(events, clock.GetUtcNow().UtcDateTime), SequencedRows.UpsertStates(states) },
            };
            await InlineTransaction.ExecuteAsync(write, ct);
        }
        await InlineTransaction.EndAsync(connection, commit: true, ct);
    }

    // The states of the batch's orders before it: from memory, or from the table for an order this holder has not met yet
    // (absent there too if the feed never met it). An order whose first change here is its OrderCreated is new to the feed:
    // that row is written with the order itself, before any other change of the order can be.
    private static async Task<Dictionary<Guid, FeedStates.Tracked>> StatesOfAsync(
        LockedConnection db, FeedStates states, IReadOnlyList<OrderChange> batch, CancellationToken ct)
    {
        var known = new Dictionary<Guid, FeedStates.Tracked>();
        var unmet = new HashSet<Guid>();
        var seen = new HashSet<Guid>();
        foreach (var change in batch)
        {
            var orderId = OrderProjection.OrderIdOf(change.Event);
            if (!seen.Add(orderId) || change.Event is OrderCreated)
            {
                continue;
            }
            if (states.TryGet(orderId, out var tracked))
            {
                known[orderId] = tracked;
            }
            else
            {
                unmet.Add(orderId);
            }
        }
        if (unmet.Count > 0)
        {
            var stored = await db.UseAsync(async connection => (await connection.QueryAsync<StoredState>(new CommandDefinition(
                StatesSql, new { Ids = unmet }, cancellationToken: ct))).AsList(), ct);
            foreach (var s in stored)
            {
                var tracked = new FeedStates.Tracked(s.Version, s.Sequence, JsonSerializer.Deserialize<FeedOrder>(s.State, FeedEvent.Json)!);
                known[s.OrderId] = tracked;
                states.Set(s.OrderId, tracked);
            }
        }
        return known;
    }
}
