using System.Threading.Channels;
using Dapper;
using OrderSystem.Feed.Sequencing;

namespace OrderSystem.Feed.Publishing;

/// <summary>
/// Publishes what the sequencer committed, in sequence order, while the sequencer goes on with its next pass. Each
/// committed pass is handed over in memory (its events' bodies are not read back); only what the memory does not have is
/// read from feed_events: on taking the lock, what the last holder stored but never saw confirmed. After the broker
/// confirmed a batch, the cursor's published sequence moves (over the locked connection). A crash in between publishes
/// the same events again, byte for byte: a consumer that sees a sequence it already has drops it.
/// </summary>
internal sealed class FeedPublisher(ChangelogStream stream, LockedConnection db, FeedOptions options, PassTimings timings)
{
    private const string StoredSql = """
        SELECT sequence AS Sequence, order_id AS OrderId, version AS Version, type AS Type, occurred_at AS OccurredAt,
               source_position AS SourcePosition, body AS Body
        FROM feed_events WHERE sequence > @After AND sequence <= @Through ORDER BY sequence LIMIT @Batch
        """;

    private const string MarkSql = "UPDATE feed_cursor SET published_sequence = @Last WHERE id = 1 AND published_sequence = @Published";

    // A few passes' worth: if the broker is slower than the sequencer, the sequencer waits instead of filling the memory.
    private readonly Channel<IReadOnlyList<SequencedRows.EventRow>> _committed = Channel.CreateBounded<IReadOnlyList<SequencedRows.EventRow>>(
        new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });

    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.PublishTimeoutMs);

    /// <summary>The events of a committed pass, in sequence order.</summary>
    public ValueTask HandOverAsync(IReadOnlyList<SequencedRows.EventRow> events, CancellationToken ct) =>
        _committed.Writer.WriteAsync(events, ct);

    /// <summary>Publishes from <paramref name="published"/> + 1 (the cursor when the lock was taken) until cancelled or failed.</summary>
    public async Task RunAsync(long published, long stored, CancellationToken ct)
    {
        published = await CatchUpAsync(published, stored, ct);
        var next = new List<SequencedRows.EventRow>();
        while (await _committed.Reader.WaitToReadAsync(ct))
        {
            next.Clear();
            // Passes committed meanwhile go out together: one confirmation wait and one mark for all of them.
            while (next.Count < options.BatchSize * 4 && _committed.Reader.TryRead(out var pass))
            {
                next.AddRange(pass.Where(e => e.Sequence > published));
            }
            if (next.Count == 0)
            {
                continue;
            }
            if (next[0].Sequence != published + 1)
            {
                published = await CatchUpAsync(published, next[0].Sequence - 1, ct);
            }
            published = await PublishAsync(next, published, ct);
        }
    }

    // What feed_events holds after `published`, through `through`, batch by batch.
    private async Task<long> CatchUpAsync(long published, long through, CancellationToken ct)
    {
        while (published < through)
        {
            List<SequencedRows.EventRow> stored;
            using (timings.Time("pub-stored"))
            {
                stored = await db.UseAsync(async connection => (await connection.QueryAsync<SequencedRows.EventRow>(new CommandDefinition(
                    StoredSql, new { After = published, Through = through, Batch = options.BatchSize }, cancellationToken: ct))).AsList(), ct);
            }
            if (stored.Count == 0 || stored[0].Sequence != published + 1)
            {
                throw new InvalidOperationException($"The feed misses event {published + 1}: its table has {(stored.Count == 0 ? "nothing" : stored[0].Sequence)} next.");
            }
            published = await PublishAsync(stored, published, ct);
        }
        return published;
    }

    private async Task<long> PublishAsync(List<SequencedRows.EventRow> events, long published, CancellationToken ct)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Sequence != published + 1 + i)
            {
                throw new InvalidOperationException($"The feed's events to publish skip from {published + i} to {events[i].Sequence}.");
            }
        }
        await stream.PublishAsync(events, _timeout, timings, ct);
        var last = events[^1].Sequence;
        using (timings.Time("pub-mark"))
        {
            var moved = await db.UseAsync(connection => connection.ExecuteAsync(new CommandDefinition(
                MarkSql, new { Last = last, Published = published }, cancellationToken: ct)), ct);
            if (moved != 1)
            {
                throw new InvalidOperationException("The feed's published sequence moved under this publisher: another one is running.");
            }
        }
        return last;
    }
}
