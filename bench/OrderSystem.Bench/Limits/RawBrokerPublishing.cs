using System.Diagnostics;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace OrderSystem.Bench.Limits;

/// <summary>
/// The broker ceiling: persistent messages of an OrderPaid's size published with RabbitMQ.Client and broker confirms, a batch
/// in flight at a time like the relay, to a fanout exchange with four durable queues (one per consuming module) drained by
/// four consumers. The relay's messages per second are divided by this.
/// </summary>
internal static class RawBrokerPublishing
{
    private const string Exchange = "bench.raw.order-paid";
    private static readonly string[] Queues = ["bench.raw.points", "bench.raw.marketing", "bench.raw.push", "bench.raw.warehouse"];

    public static async Task<BrokerResult> RunAsync(BenchOptions options, int messages, int batchSize, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            HostName = options.RabbitHost, Port = options.RabbitPort, UserName = options.RabbitUser, Password = options.RabbitPassword,
            VirtualHost = options.VirtualHost,
        };
        await using var connection = await factory.CreateConnectionAsync("ordersystem-bench", ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        var received = 0;
        var drained = new TaskCompletionSource();
        var consumers = new List<IChannel>();
        foreach (var queue in Queues)
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.QueuePurgeAsync(queue, ct);
            await channel.QueueBindAsync(queue, Exchange, "", cancellationToken: ct);
            var consuming = await connection.CreateChannelAsync(cancellationToken: ct);
            await consuming.BasicQosAsync(0, 100, false, ct);
            var consumer = new AsyncEventingBasicConsumer(consuming);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await consuming.BasicAckAsync(delivery.DeliveryTag, false);
                if (Interlocked.Increment(ref received) == messages * Queues.Length)
                {
                    drained.TrySetResult();
                }
            };
            await consuming.BasicConsumeAsync(queue, autoAck: false, consumer, ct);
            consumers.Add(consuming);
        }

        // About the size of an OrderPaid row's JSON.
        var body = Encoding.UTF8.GetBytes("{\"orderId\":\"" + Guid.NewGuid() + "\",\"userId\":\"bench-user-1\",\"items\":[{\"sku\":\"BENCH-00001\"," +
            "\"quantity\":1,\"unitPrice\":12.34}],\"amount\":12.34,\"paymentId\":\"pay-" + Guid.NewGuid().ToString("N") +
            "\",\"occurredAt\":\"2026-11-25T10:00:00.000000Z\"}" + new string(' ', 40));
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < messages; sent += batchSize)
        {
            var batch = Enumerable.Range(0, Math.Min(batchSize, messages - sent))
                .Select(_ => channel.BasicPublishAsync(Exchange, "", false, properties, body, ct).AsTask());
            await Task.WhenAll(batch);
        }
        var published = clock.Elapsed;
        await drained.Task.WaitAsync(TimeSpan.FromSeconds(120), ct);
        var drainedAt = clock.Elapsed;
        foreach (var consuming in consumers)
        {
            await consuming.CloseAsync(ct);
        }
        foreach (var queue in Queues)
        {
            await channel.QueueDeleteAsync(queue, cancellationToken: ct);
        }
        await channel.ExchangeDeleteAsync(Exchange, cancellationToken: ct);
        return new BrokerResult(messages, published, drainedAt, body.Length);
    }
}

internal sealed record BrokerResult(int Messages, TimeSpan Published, TimeSpan Drained, int BodyBytes)
{
    public double PublishedPerSecond => Messages / Published.TotalSeconds;
}
