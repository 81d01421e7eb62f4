using System.Data;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Feed.Retention;

/// <summary>
/// Keeps feed_events as long as the stream keeps its events (Feed:MaxAgeHours), and no longer: past that age an event is
/// neither in the stream nor needed to publish it again. An event not yet confirmed by the broker is never deleted. Small
/// batches, each its own READ COMMITTED transaction on a range of old sequences: the sequencer's writes never wait.
/// </summary>
internal sealed partial class FeedTrimmer(
    ModuleStore<ModuleTag> feed, IOptions<FeedOptions> options, TimeProvider clock, ILogger<FeedTrimmer> logger) : BackgroundService
{
    // The newest event past the retention, by one dive into the sequenced_at index, and no further than the broker
    // confirmed. Sequences are handed out in sequenced_at order, so everything up to it is past the retention too.
    private const string BoundSql = """
        SELECT LEAST(
            COALESCE((SELECT sequence FROM feed_events WHERE sequenced_at < @Cutoff ORDER BY sequenced_at DESC, sequence DESC LIMIT 1), 0),
            COALESCE((SELECT published_sequence FROM feed_cursor WHERE id = 1), 0))
        """;

    // A range of the primary key below every event still being written: the sequencer's inserts and this never meet.
    private const string DeleteSql = "DELETE FROM feed_events WHERE sequence <= @Bound ORDER BY sequence LIMIT @Batch";

    private readonly FeedOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.TrimIntervalMs), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await TrimAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(e.Message, e); // an outage: the next tick tries again
            }
        }
    }

    /// <summary>Deletes what is older than the retention, batch by batch; returns how many events.</summary>
    public async Task<long> TrimAsync(CancellationToken ct)
    {
        var cutoff = clock.UtcNowForDatabase().AddHours(-_options.MaxAgeHours);
        long bound;
        await using (var connection = await feed.Db.OpenAsync(ct))
        {
            bound = await connection.ExecuteScalarAsync<long>(new CommandDefinition(BoundSql, new { Cutoff = cutoff }, cancellationToken: ct));
        }
        long total = 0;
        int deleted;
        do
        {
            await using var connection = await feed.Db.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            deleted = await connection.ExecuteAsync(new CommandDefinition(DeleteSql,
                new { Bound = bound, Batch = _options.TrimBatchSize }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            total += deleted;
        }
        while (deleted == _options.TrimBatchSize);
        return total;
    }

    [LoggerMessage(LogLevel.Warning, "Trimming the feed's events failed: {Error}")]
    private partial void LogFailed(string error, Exception exception);
}
