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
/// and fail with it. Sequencing and publishing alternate: what is sequenced is in the feed's tables before anything is
/// published, and what is published is exactly what the tables hold.
/// </summary>
internal sealed partial class FeedSequencer(
    FeedConnection feedDatabase,
    SequenceChanges sequencing,
    IOptions<FeedOptions> options,
    IOptions<RabbitMqOptions> rabbit,
    ILogger<FeedSequencer> logger) : BackgroundService
{
    private readonly FeedOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
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
                var timings = new PassTimings(logger);
                while (!stoppingToken.IsCancellationRequested)
                {
                    var sequenced = await sequencing.RunAsync(connection, _options.BatchSize, timings, stoppingToken);
                    var published = await stream.PublishPendingAsync(connection, _options.BatchSize,
                        TimeSpan.FromMilliseconds(_options.PublishTimeoutMs), timings, stoppingToken);
                    timings.Pass(sequenced);
                    failures = 0;
                    if (sequenced < _options.BatchSize && published < _options.BatchSize)
                    {
                        await Task.Delay(_options.PollMs, stoppingToken);
                    }
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                LogFailed(e.Message, e);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 10)))), stoppingToken);
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
