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
/// batches, each its own READ COMMITTED transaction, by the sequenced_at index: the sequencer's inserts never wait.
/// </summary>
internal sealed partial class FeedTrimmer(
    ModuleStore<ModuleTag> feed, IOptions<FeedOptions> options, TimeProvider clock, ILogger<FeedTrimmer> logger) : BackgroundService
{
    private const string DeleteSql = """
        DELETE FROM feed_events
        WHERE sequenced_at < @Cutoff AND sequence <= (SELECT published_sequence FROM feed_cursor WHERE id = 1)
        ORDER BY sequenced_at LIMIT @Batch
        """;

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
        long total = 0;
        int deleted;
        do
        {
            await using var connection = await feed.Db.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            deleted = await connection.ExecuteAsync(new CommandDefinition(DeleteSql,
                new { Cutoff = cutoff, Batch = _options.TrimBatchSize }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            total += deleted;
        }
        while (deleted == _options.TrimBatchSize);
        return total;
    }

    [LoggerMessage(LogLevel.Warning, "Trimming the feed's events failed: {Error}")]
    private partial void LogFailed(string error, Exception exception);
}
