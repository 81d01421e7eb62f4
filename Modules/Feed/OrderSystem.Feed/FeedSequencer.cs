using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.Feed.Publishing;
using OrderSystem.Feed.Sequencing;

namespace OrderSystem.Feed;

/// <summary>
/// One sequencer for the whole system at a time: every host running Feed tries for a MariaDB named lock (GET_LOCK) on a
/// connection of its own, outside the pool; the holder sequences and publishes, the others stand by. The lock goes with
/// the connection, so a host that dies or loses its database hands over at once; its writes went over that connection
/// and fail with it. Sequencing and publishing run side by side (decision 0021): a pass is in the feed's tables before
/// it is handed to the publisher, and what is published is exactly what the tables hold.
/// </summary>
internal sealed partial class FeedSequencer(
    FeedConnection feedDatabase,
    SequenceChanges sequencing,
    IOptions<FeedOptions> options,
    IOptions<RabbitMqOptions> rabbit,
    ILogger<FeedSequencer> logger) : BackgroundService
{
    private readonly FeedOptions _options = options.Value;
    private int _failures; // in a row, for the back-off; a committed pass ends the series

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await feedDatabase.OpenUnpooledAsync(stoppingToken);
                if (!await TryLockAsync(connection, stoppingToken))
                {
                    await Task.Delay(_options.StandbyPollMs, stoppingToken);
                    continue;
                }
                LogSequencing(feedDatabase.LockName);
                await using var stream = await ChangelogStream.OpenAsync(rabbit.Value, _options, stoppingToken);
                using var db = new LockedConnection(connection);
                await RunAsync(db, stream, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _failures++;
                LogFailed(e.Message, e);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(_failures, 10)))), stoppingToken);
            }
        }
    }

    // Sequencing and publishing side by side, until either fails (or the host stops); then both stop, and the lock is given up.
    private async Task RunAsync(LockedConnection db, ChangelogStream stream, CancellationToken stoppingToken)
    {
        var session = await SequenceChanges.BeginAsync(db, _options.StateCacheSize, stoppingToken);
        using var holding = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var timings = new PassTimings(logger);
        var publisher = new FeedPublisher(stream, db, _options, timings);
        var publishing = publisher.RunAsync(session.PublishedSequence, session.LastSequence, holding.Token);
        var sequencingLoop = SequenceAsync(db, session, publisher, timings, holding.Token);
        var first = await Task.WhenAny(publishing, sequencingLoop);
        await holding.CancelAsync();
        try
        {
            await Task.WhenAll(publishing, sequencingLoop);
        }
        catch (Exception) when (holding.IsCancellationRequested)
        {
            // The first to end says why; the other ended because of it.
        }
        await first;
    }

    private async Task SequenceAsync(LockedConnection db, SequenceChanges.Session session, FeedPublisher publisher, PassTimings timings, CancellationToken ct)
    {
        while (true)
        {
            var confirmed = publisher.Confirmed;
            var pass = await sequencing.RunAsync(db, session, _options.BatchSize, confirmed, timings, ct);
            if (pass.Committed)
            {
                publisher.Recorded(confirmed);
            }
            if (pass.Events.Count > 0)
            {
                using (timings.Time("hand-over"))
                {
                    await publisher.HandOverAsync(pass.Events, ct);
                }
            }
            timings.Pass(pass.Events.Count);
            _failures = 0;
            if (!pass.Full)
            {
                await Task.Delay(_options.PollMs, ct);
            }
        }
    }

    private async Task<bool> TryLockAsync(MySqlConnection connection, CancellationToken ct)
    {
        await using var command = new MySqlCommand("SELECT GET_LOCK(@Name, 0)", connection);
        command.Parameters.AddWithValue("@Name", feedDatabase.LockName);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct) ?? 0L, System.Globalization.CultureInfo.InvariantCulture) == 1; // NULL on an error
    }

    [LoggerMessage(LogLevel.Information, "This host is the feed's sequencer now ({Lock})")]
    private partial void LogSequencing(string @lock);

    [LoggerMessage(LogLevel.Warning, "The feed's sequencer failed: {Error}")]
    private partial void LogFailed(string error, Exception exception);
}
