using System.Text;
using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.Feed.Contracts;
using RabbitMQ.Client;

namespace OrderSystem.Feed.Publishing;

/// <summary>
/// The RabbitMQ stream orders.changelog, and the publishing of sequenced events to it in sequence order. Each batch goes
/// out back to back on one channel (so in order) and is confirmed as a whole; only then does the cursor's published
/// sequence move. A crash in between publishes the same events again, byte for byte: a consumer that sees a sequence it
/// already has drops it.
/// </summary>
internal sealed class ChangelogStream : IAsyncDisposable
{
    private const string PendingSql = """
        SELECT sequence AS Sequence, order_id AS OrderId, version AS Version, type AS Type, body AS Body
        FROM feed_events WHERE sequence > @Published ORDER BY sequence LIMIT @Batch
        """;

    private const string MarkSql = "UPDATE feed_cursor SET published_sequence = @Last WHERE id = 1 AND published_sequence = @Published";

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly Lock _gate = new();
    private readonly SortedSet<ulong> _unconfirmed = [];
    private TaskCompletionSource _allConfirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _refused;

    private ChangelogStream(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
        _channel.BasicAcksAsync += (_, e) => Confirm(e.DeliveryTag, e.Multiple, null);
        _channel.BasicNacksAsync += (_, e) => Confirm(e.DeliveryTag, e.Multiple, "the broker refused an event");
    }

    private sealed record Pending(long Sequence, Guid OrderId, int Version, string Type, string Body);

    /// <summary>Connects without automatic recovery (a failed connection is replaced as a whole) and declares the stream.</summary>
    public static async Task<ChangelogStream> OpenAsync(RabbitMqOptions rabbit, FeedOptions feed, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            HostName = rabbit.Host, Port = rabbit.Port, VirtualHost = rabbit.VirtualHost, UserName = rabbit.Username, Password = rabbit.Password,
            AutomaticRecoveryEnabled = false, TopologyRecoveryEnabled = false, ClientProvidedName = "ordersystem-feed",
        };
        var nodes = rabbit.Nodes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => AmqpTcpEndpoint.Parse(n)).ToList();
        var connection = nodes is { Count: > 0 } ? await factory.CreateConnectionAsync(nodes, ct) : await factory.CreateConnectionAsync(ct);
        try
        {
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
                publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false), ct);
            await DeclareAsync(channel, feed, ct);
            return new ChangelogStream(connection, channel);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The stream's declaration; every reader declares it the same way (or passively).</summary>
    public static Task DeclareAsync(IChannel channel, FeedOptions feed, CancellationToken ct) =>
        channel.QueueDeclareAsync(FeedStream.Name, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-queue-type"] = "stream",
            ["x-max-age"] = $"{feed.MaxAgeHours}h",
            ["x-max-length-bytes"] = feed.MaxBytes,
            ["x-stream-max-segment-size-bytes"] = feed.SegmentBytes,
        }, cancellationToken: ct);

    /// <summary>Publishes the sequenced events not yet confirmed, one batch; returns how many went out.</summary>
    public async Task<int> PublishPendingAsync(MySqlConnection connection, int batchSize, TimeSpan timeout, PassTimings timings, CancellationToken ct)
    {
        var phase = timings.Time("pub-read");
        var published = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT published_sequence FROM feed_cursor WHERE id = 1", cancellationToken: ct));
        var pending = (await connection.QueryAsync<Pending>(new CommandDefinition(
            PendingSql, new { Published = published, Batch = batchSize }, cancellationToken: ct))).AsList();
        phase.Dispose();
        if (pending.Count == 0)
        {
            return 0;
        }
        if (pending[0].Sequence != published + 1)
        {
            throw new InvalidOperationException($"The feed misses event {published + 1}: its table starts at {pending[0].Sequence}.");
        }
        lock (_gate)
        {
            _unconfirmed.Clear();
            _refused = null;
        }
        phase = timings.Time("pub-send");
        foreach (var e in pending)
        {
            var tag = await _channel.GetNextPublishSequenceNumberAsync(ct);
            lock (_gate)
            {
                _unconfirmed.Add(tag);
            }
            var properties = new BasicProperties
            {
                Persistent = true,
                ContentType = "application/json",
                MessageId = e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Type = e.Type,
                Headers = new Dictionary<string, object?>
                {
                    [FeedStream.SequenceHeader] = e.Sequence, ["order-id"] = e.OrderId.ToString(), ["version"] = e.Version,
                },
            };
            await _channel.BasicPublishAsync("", FeedStream.Name, mandatory: false, properties, Encoding.UTF8.GetBytes(e.Body), ct);
        }
        phase.Dispose();
        phase = timings.Time("pub-confirm");
        Task confirmed;
        lock (_gate)
        {
            // Confirms of the first events may have emptied the set while later ones were still being sent.
            _allConfirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_unconfirmed.Count == 0)
            {
                _allConfirmed.TrySetResult();
            }
            confirmed = _allConfirmed.Task;
        }
        await confirmed.WaitAsync(timeout, ct);
        if (_refused is { } refused)
        {
            throw new InvalidOperationException(refused);
        }
        phase.Dispose();
        phase = timings.Time("pub-mark");
        var last = pending[^1].Sequence;
        if (await connection.ExecuteAsync(new CommandDefinition(MarkSql, new { Last = last, Published = published }, cancellationToken: ct)) != 1)
        {
            throw new InvalidOperationException("The feed's published sequence moved under this publisher: another one is running.");
        }
        phase.Dispose();
        return pending.Count;
    }

    private Task Confirm(ulong tag, bool multiple, string? refused)
    {
        lock (_gate)
        {
            if (multiple)
            {
                _unconfirmed.RemoveWhere(t => t <= tag);
            }
            else
            {
                _unconfirmed.Remove(tag);
            }
            _refused ??= refused;
            if (_unconfirmed.Count == 0)
            {
                _allConfirmed.TrySetResult();
            }
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
