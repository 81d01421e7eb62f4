using System.Threading.Channels;
using OrderSystem.Feed.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrderSystem.Feed.Client;

/// <summary>
/// Reads the stream orders.changelog over AMQP 0.9.1: one consumer with a prefetch (basic.qos, which streams require)
/// and an x-stream-offset. Automatic recovery is off on purpose: the client's recovery would subscribe again from the
/// offset first given, not from where the reader got to. A broken connection ends the reading with an exception; the
/// caller opens a new reader from its own stored position.
/// </summary>
public sealed class ChangelogReader : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly Channel<FeedDelivery> _deliveries = Channel.CreateUnbounded<FeedDelivery>(new UnboundedChannelOptions { SingleReader = true });

    private ChangelogReader(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
        _connection.ConnectionShutdownAsync += (_, e) =>
        {
            _deliveries.Writer.TryComplete(new IOException($"The connection to the feed closed: {e.ReplyText}"));
            return Task.CompletedTask;
        };
    }

    /// <param name="uri">amqp://user:password@host:port/vhost (the product's virtual host, URL-encoded: %2F for "/").</param>
    public static async Task<ChangelogReader> OpenAsync(Uri uri, StreamStart start, ushort prefetch = 500, CancellationToken ct = default)
    {
        var factory = new ConnectionFactory { Uri = uri, AutomaticRecoveryEnabled = false, TopologyRecoveryEnabled = false, ClientProvidedName = "ordersystem-feed-reader" };
        var connection = await factory.CreateConnectionAsync(ct);
        try
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            var reader = new ChangelogReader(connection, channel);
            await channel.BasicQosAsync(0, prefetch, false, ct);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += reader.OnDeliveryAsync;
            await channel.BasicConsumeAsync(FeedStream.Name, autoAck: false, consumerTag: "", noLocal: false, exclusive: false,
                arguments: new Dictionary<string, object?> { ["x-stream-offset"] = start.Argument }, consumer, ct);
            return reader;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next event, or null when none came for <paramref name="idle"/> (the reader has caught up).</summary>
    public async Task<FeedDelivery?> ReadAsync(TimeSpan idle, CancellationToken ct = default)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(idle);
        try
        {
            return await _deliveries.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private async Task OnDeliveryAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var offset = delivery.BasicProperties.Headers?.TryGetValue("x-stream-offset", out var value) == true ? Convert.ToInt64(value) : -1;
        var feedEvent = FeedEvent.FromJson(delivery.Body.Span);
        await _deliveries.Writer.WriteAsync(new FeedDelivery(offset, feedEvent));
        // A stream keeps its messages: the ack only gives the consumer credit for the next ones.
        await _channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
    }

    public async ValueTask DisposeAsync()
    {
        _deliveries.Writer.TryComplete();
        try
        {
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or RabbitMQ.Client.Exceptions.AlreadyClosedException)
        {
            // already gone
        }
    }
}
