using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrderSystem.Bench.Limits;

/// <summary>
/// The topology both publishers are measured against: OrderPaid's fanout exchange (named as MassTransit names it) with four
/// durable queues, one per consuming module, each drained by a consumer that only acknowledges. So the relay and the raw
/// publisher meet the same broker work, and neither competes with the modules' own processing.
/// </summary>
internal sealed class DrainingQueues : IAsyncDisposable
{
    public const string OrderPaidExchange = "OrderSystem.Order.Contracts:OrderPaid";
    private static readonly string[] Names = ["bench.drain.points", "bench.drain.marketing", "bench.drain.push", "bench.drain.warehouse"];

    private readonly IConnection _connection;
    private readonly List<IChannel> _channels = [];
    private long _received;
    private long _bytes;

    private DrainingQueues(IConnection connection) => _connection = connection;

    public int Count => Names.Length;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>The mean body size of what arrived: the relay's MassTransit envelopes are several times an OrderPaid's JSON.</summary>
    public int MeanBodyBytes => Received == 0 ? 0 : (int)(Interlocked.Read(ref _bytes) / Received);

    public static async Task<DrainingQueues> DeclareAsync(BenchOptions options, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            HostName = options.RabbitHost, Port = options.RabbitPort, UserName = options.RabbitUser, Password = options.RabbitPassword,
            VirtualHost = options.VirtualHost,
        };
        var queues = new DrainingQueues(await factory.CreateConnectionAsync("ordersystem-bench-drain", ct));
        await using (var setup = await queues._connection.CreateChannelAsync(cancellationToken: ct))
        {
            // The same declaration MassTransit makes, so whichever of the two declares it first, the other agrees.
            await setup.ExchangeDeclareAsync(OrderPaidExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
            foreach (var name in Names)
            {
                await setup.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
                await setup.QueuePurgeAsync(name, ct);
                await setup.QueueBindAsync(name, OrderPaidExchange, "", cancellationToken: ct);
            }
        }
        foreach (var name in Names)
        {
            var channel = await queues._connection.CreateChannelAsync(cancellationToken: ct);
            await channel.BasicQosAsync(0, 100, false, ct);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, false);
                Interlocked.Add(ref queues._bytes, delivery.Body.Length);
                Interlocked.Increment(ref queues._received);
            };
            await channel.BasicConsumeAsync(name, autoAck: false, consumer, ct);
            queues._channels.Add(channel);
        }
        return queues;
    }

    public async Task<bool> WaitForAsync(long total, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Received < total)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(20, ct);
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            await channel.CloseAsync();
            await channel.DisposeAsync();
        }
        await using (var cleanup = await _connection.CreateChannelAsync())
        {
            foreach (var name in Names)
            {
                await cleanup.QueueDeleteAsync(name);
            }
        }
        await _connection.CloseAsync();
        await _connection.DisposeAsync();
    }
}
