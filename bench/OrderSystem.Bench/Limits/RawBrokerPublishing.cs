using System.Diagnostics;
using System.Text;
using OrderSystem.Bench.Capacity;
using OrderSystem.Bench.Hosting;
using RabbitMQ.Client;

namespace OrderSystem.Bench.Limits;

/// <summary>
/// The broker ceiling: persistent messages of an OrderPaid's size published with RabbitMQ.Client and broker confirms, a batch
/// in flight at a time like the relay, into the same topology the relay is measured against (<see cref="DrainingQueues"/>).
/// The relay's messages per second are divided by this.
/// </summary>
internal static class RawBrokerPublishing
{
    /// <param name="bodyBytes">The size of the relay's messages when it was measured, so both carry the same bytes.</param>
    public static async Task<BrokerResult> RunAsync(BenchOptions options, int messages, int batchSize, int? bodyBytes, CancellationToken ct)
    {
        await using var queues = await DrainingQueues.DeclareAsync(options, ct);
        var factory = new ConnectionFactory
        {
            HostName = options.RabbitHost, Port = options.RabbitPort, UserName = options.RabbitUser, Password = options.RabbitPassword,
            VirtualHost = options.VirtualHost,
        };
        await using var connection = await factory.CreateConnectionAsync("ordersystem-bench-raw", ct);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);

        // About the size of an OrderPaid row's JSON, or padded to the size of the relay's envelopes.
        var body = Encoding.UTF8.GetBytes("{\"orderId\":\"" + Guid.NewGuid() + "\",\"userId\":\"bench-user-1\",\"items\":[{\"sku\":\"BENCH-00001\"," +
            "\"quantity\":1,\"unitPrice\":12.34}],\"amount\":12.34,\"paymentId\":\"pay-" + Guid.NewGuid().ToString("N") +
            "\",\"occurredAt\":\"2026-11-25T10:00:00.000000Z\"}" + new string(' ', Math.Max(40, (bodyBytes ?? 0) - 246)));
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        // Once unmeasured, as the relay is warmed up before it is measured.
        await PublishAsync(channel, messages, batchSize, properties, body, ct);
        await queues.WaitForAsync((long)messages * queues.Count, TimeSpan.FromSeconds(120), ct);

        var cpu = new ProcessCpu(options, new CurrentProcess());
        var cpuBefore = cpu.Read();
        var clock = Stopwatch.StartNew();
        await PublishAsync(channel, messages, batchSize, properties, body, ct);
        var published = clock.Elapsed;
        await queues.WaitForAsync(2L * messages * queues.Count, TimeSpan.FromSeconds(120), ct);
        var used = ProcessCpu.Between(cpuBefore, cpu.Read());
        // The publisher and the queues' ack-only consumers both run in this process: the client side of it all.
        var cpuMs = used[ProcessCpu.LoadGenerator] + used.GetValueOrDefault(ProcessCpu.Broker);
        return new BrokerResult(messages, published, clock.Elapsed, body.Length, cpuMs.TotalMilliseconds / messages);
    }

    private static async Task PublishAsync(
        IChannel channel, int messages, int batchSize, BasicProperties properties, byte[] body, CancellationToken ct)
    {
        for (var sent = 0; sent < messages; sent += batchSize)
        {
            var batch = Enumerable.Range(0, Math.Min(batchSize, messages - sent))
                .Select(_ => channel.BasicPublishAsync(DrainingQueues.OrderPaidExchange, "", false, properties, body, ct).AsTask());
            await Task.WhenAll(batch);
        }
    }
}

/// <param name="CpuMsPerMessage">This process (publisher and consumers) and RabbitMQ, per message published.</param>
internal sealed record BrokerResult(int Messages, TimeSpan Published, TimeSpan Drained, int BodyBytes, double CpuMsPerMessage = double.NaN)
{
    public double PublishedPerSecond => Messages / Published.TotalSeconds;
}
