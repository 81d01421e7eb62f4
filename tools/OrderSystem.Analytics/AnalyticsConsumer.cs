using MySqlConnector;
using OrderSystem.Feed.Client;

namespace OrderSystem.Analytics;

/// <summary>
/// The reference consumer: reads the feed from its stored position and keeps the reporting tables, batch by batch, each
/// batch with its position in one transaction. It reconnects by itself from the stored position after any failure
/// (never from the offset it first attached at, which is what the client's own recovery would do).
/// </summary>
internal sealed class AnalyticsConsumer(string connectionString, Uri feed, TextWriter log)
{
    public int BatchSize { get; init; } = 200;

    /// <summary>Runs until <paramref name="ct"/> is cancelled, or until idle for <paramref name="stopWhenIdle"/> when given.</summary>
    public async Task RunAsync(TimeSpan? stopWhenIdle, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await RunFromStoredPositionAsync(stopWhenIdle, ct))
                {
                    return;
                }
            }
            catch (Exception e) when (e is not FeedGapException && !ct.IsCancellationRequested)
            {
                await log.WriteLineAsync($"analytics: {e.GetType().Name}: {e.Message}; resuming from the stored position");
                await Task.Delay(500, ct);
            }
        }
    }

    private async Task<bool> RunFromStoredPositionAsync(TimeSpan? stopWhenIdle, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var position = await ApplyEvents.ReadPositionAsync(connection);
        var check = new SequenceCheck(position?.Sequence ?? 0);
        await using var reader = await ChangelogReader.OpenAsync(feed,
            position is null ? StreamStart.First : StreamStart.AtOffset(position.StreamOffset + 1), ct: ct);
        await log.WriteLineAsync($"analytics: reading the feed after sequence {position?.Sequence ?? 0}");
        var idleSince = DateTime.UtcNow;
        while (!ct.IsCancellationRequested)
        {
            var batch = new List<FeedDelivery>();
            while (batch.Count < BatchSize && await reader.ReadAsync(TimeSpan.FromMilliseconds(batch.Count == 0 ? 500 : 20), ct) is { } d)
            {
                batch.Add(d);
            }
            if (batch.Count == 0)
            {
                if (stopWhenIdle is { } idle && DateTime.UtcNow - idleSince >= idle)
                {
                    return true;
                }
                continue;
            }
            idleSince = DateTime.UtcNow;
            if (await ApplyEvents.ApplyAsync(connection, position, batch, check) > 0)
            {
                position = new ApplyEvents.Position(batch.Last(b => b.Event.Sequence == check.LastSeen).StreamOffset, check.LastSeen);
            }
        }
        return false;
    }
}
