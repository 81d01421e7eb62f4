using Dapper;
using MySqlConnector;
using OrderSystem.Bench.Load;
using OrderSystem.Bench.Report;
using OrderSystem.Feed.Client;

namespace OrderSystem.Bench.Feed;

/// <summary>
/// Commit-to-feed lag as a consumer sees it: a reader on the stream notes when each event arrives; the lag is that minus
/// the event's occurredAt (the change's own time, taken by the host just before its commit). One clock: the same machine.
/// </summary>
internal sealed class FeedLagWatch : IAsyncDisposable
{
    /// <summary>A payment makes five order changes: OrderPaid and the four fulfillment steps.</summary>
    public const double ChangesPerPayment = 5;

    private const string BehindSql = """
        SELECT COALESCE((SELECT last_sequence - published_sequence FROM feed_cursor WHERE id = 1), 1)
             + (SELECT COALESCE(MAX(id), 0) FROM order_outbox) - COALESCE((SELECT source_position FROM feed_cursor WHERE id = 1), 0)
        """;

    private readonly ChangelogReader _reader;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(DateTime OccurredAt, DateTime ReceivedAt)> _seen = [];
    private readonly Task _reading;

    private FeedLagWatch(ChangelogReader reader)
    {
        _reader = reader;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<FeedLagWatch> StartAsync(BenchOptions options, CancellationToken ct)
    {
        var uri = new Uri($"amqp://{Uri.EscapeDataString(options.RabbitUser)}:{Uri.EscapeDataString(options.RabbitPassword)}@" +
            $"{options.RabbitHost}:{options.RabbitPort}/{Uri.EscapeDataString(options.VirtualHost)}");
        return new FeedLagWatch(await ChangelogReader.OpenAsync(uri, StreamStart.At(DateTimeOffset.UtcNow), ct: ct));
    }

    /// <summary>
    /// Until the feed has sequenced and published everything Order recorded: no backlog runs into a measurement. Not at all
    /// when this process's environment turns the feed off (<c>Feed__Enabled=false</c>, which the product host inherits).
    /// </summary>
    public static async Task WaitCaughtUpAsync(string connectionString, TimeSpan wait, CancellationToken ct)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("Feed__Enabled"), "false", StringComparison.OrdinalIgnoreCase))
        {
            return; // the host inherits this environment: with its feed off nothing would ever catch up
        }
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var deadline = DateTime.UtcNow + wait;
        while (await connection.ExecuteScalarAsync<long>(new CommandDefinition(BehindSql, cancellationToken: ct)) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, ct);
        }
    }

    /// <summary>The lag of the changes made during <paramref name="run"/>'s measured payments (from <paramref name="from"/>), once they have all arrived.</summary>
    public async Task<FeedLag> MeasureAsync(DateTime from, RunRecord run, double targetChangesPerSecond, CancellationToken ct)
    {
        var to = from + run.Load.Elapsed;
        // Changes of the last payments may still be on their way: wait until nothing has arrived for two seconds.
        var count = -1;
        while (Count() != count)
        {
            count = Count();
            await Task.Delay(2000, ct);
        }
        List<double> lags;
        lock (_seen)
        {
            lags = [.. _seen.Where(s => s.OccurredAt >= from && s.OccurredAt <= to).Select(s => (s.ReceivedAt - s.OccurredAt).TotalMilliseconds)];
        }
        return new FeedLag(targetChangesPerSecond, lags.Count / run.Load.Elapsed.TotalSeconds, LatencyStats.Of(lags), run.Load.PerSecond);
    }

    private int Count()
    {
        lock (_seen)
        {
            return _seen.Count;
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (await _reader.ReadAsync(TimeSpan.FromSeconds(1), _stop.Token) is { } delivery)
                {
                    var received = DateTime.UtcNow;
                    lock (_seen)
                    {
                        _seen.Add((delivery.Event.OccurredAt.ToUniversalTime(), received));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // disposed
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        await _reader.DisposeAsync();
        _stop.Dispose();
    }
}
