using System.Text;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.Feed.Contracts;
using OrderSystem.Feed.Sequencing;
using RabbitMQ.Client;

namespace OrderSystem.Feed.Publishing;

/// <summary>
/// The RabbitMQ stream orders.changelog, and the sending of sequenced events to it: each batch goes out back to back on
/// one channel (so in order) and is confirmed as a whole (<see cref="FeedPublisher"/> decides what, and records it).
/// </summary>
internal sealed class ChangelogStream : IAsyncDisposable
{
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

    /// <summary>
    /// Sends the events back to back on the one channel (so in this order) and waits until the broker confirmed them all;
    /// throws if it refused one or did not answer in time.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<SequencedRows.EventRow> events, TimeSpan timeout, PassTimings timings, CancellationToken ct)
    {
        lock (_gate)
        {
            _unconfirmed.Clear();
            _refused = null;
        }
        using (timings.Time("pub-send"))
        {
            foreach (var e in events)
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
        }
        using (timings.Time("pub-confirm"))
        {
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
        }
        if (_refused is { } refused)
        {
            throw new InvalidOperationException(refused);
        }
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
