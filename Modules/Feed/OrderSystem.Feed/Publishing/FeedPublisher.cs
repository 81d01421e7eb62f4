using System.Threading.Channels;
using Dapper;
using OrderSystem.Feed.Sequencing;

namespace OrderSystem.Feed.Publishing;

/// <summary>
/// Publishes what the sequencer committed, in sequence order, while the sequencer goes on with its next pass. Each
/// committed pass is handed over in memory (its events' bodies are not read back); only what the memory does not have is
/// read from feed_events: on taking the lock, what the last holder stored but never saw confirmed. What the broker
/// confirmed is recorded in the cursor's published sequence by the sequencer's next transaction (no write of its own),
/// or by the publisher when no pass follows within a second. A crash before that publishes the same events again,
/// byte for byte: a consumer that sees a sequence it already has drops it.
/// </summary>
internal sealed class FeedPublisher(ChangelogStream stream, LockedConnection db, FeedOptions options, PassTimings timings)
{
    private const string StoredSql = """
        SELECT sequence AS Sequence, order_id AS OrderId, version AS Version, type AS Type, occurred_at AS OccurredAt,
               source_position AS SourcePosition, body AS Body
        FROM feed_events WHERE sequence > @After AND sequence <= @Through ORDER BY sequence LIMIT @Batch
        """;

    // Never back, and never past what was sequenced: the sequencer's update records the same value (GREATEST) in its turn.
    private const string MarkSql = "UPDATE feed_cursor SET published_sequence = GREATEST(published_sequence, @Confirmed) WHERE id = 1 AND last_sequence >= @Confirmed";

    // A few passes' worth: if the broker is slower than the sequencer, the sequencer waits instead of filling the memory.
    private readonly Channel<IReadOnlyList<SequencedRows.EventRow>> _committed = Channel.CreateBounded<IReadOnlyList<SequencedRows.EventRow>>(
        new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });

    // Long enough that a busy sequencer records the confirmed sequence first (a pass took ~100-350 ms on a loaded
    // 2-core machine), short enough that trimming and a takeover see it soon after the feed goes quiet.
    private static readonly TimeSpan IdleBeforeRecording = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(options.PublishTimeoutMs);
    private long _confirmed;
    private long _recorded;

    /// <summary>The last sequence the broker confirmed, events before it included.</summary>
    public long Confirmed => Interlocked.Read(ref _confirmed);

    /// <summary>The sequencer committed <paramref name="confirmed"/> as the published sequence.</summary>
    public void Recorded(long confirmed) => InterlockedMax(ref _recorded, confirmed);

    /// <summary>The events of a committed pass, in sequence order.</summary>
    public ValueTask HandOverAsync(IReadOnlyList<SequencedRows.EventRow> events, CancellationToken ct) =>
        _committed.Writer.WriteAsync(events, ct);

    /// <summary>Publishes from <paramref name="published"/> + 1 (the cursor when the lock was taken) until cancelled or failed.</summary>
    public async Task RunAsync(long published, long stored, CancellationToken ct)
    {
        Interlocked.Exchange(ref _confirmed, published);
        Interlocked.Exchange(ref _recorded, published);
        published = await CatchUpAsync(published, stored, ct);
        var next = new List<SequencedRows.EventRow>();
        while (await WaitForPassAsync(ct))
        {
            next.Clear();
            // Passes committed meanwhile go out together, with one wait for the confirms.
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

    // Until a pass is handed over; meanwhile, once no pass came for a second, records what is confirmed itself.
    private async Task<bool> WaitForPassAsync(CancellationToken ct)
    {
        if (Confirmed > Interlocked.Read(ref _recorded) && !_committed.Reader.TryPeek(out _))
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
            idle.CancelAfter(IdleBeforeRecording);
            try
            {
                return await _committed.Reader.WaitToReadAsync(idle.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await RecordAsync(ct);
            }
        }
        return await _committed.Reader.WaitToReadAsync(ct);
    }

    private async Task RecordAsync(CancellationToken ct)
    {
        var confirmed = Confirmed;
        using (timings.Time("pub-mark"))
        {
            await db.UseAsync(connection => connection.ExecuteAsync(new CommandDefinition(
                MarkSql, new { Confirmed = confirmed }, cancellationToken: ct)), ct);
        }
        Recorded(confirmed);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
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
        InterlockedMax(ref _confirmed, last);
        return last;
    }
}
