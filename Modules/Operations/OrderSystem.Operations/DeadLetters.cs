using System.Text;
using Microsoft.Extensions.Configuration;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Operations;

/// <summary>
/// The error queues (MassTransit's "&lt;queue&gt;_error") of the modules this process runs, as their declarations
/// name their queues, read and replayed with RabbitMQ.Client on its own short-lived connection. Operators name a
/// module in lower case.
/// </summary>
internal sealed class DeadLetters(IConfiguration configuration, ModuleCatalog catalog)
{
    internal sealed record Letter(Guid? MessageId, string? MessageType, string? Fault, string? FaultType, bool Redelivered);

    internal sealed record Queue(string Module, string ErrorQueue, uint Messages, IReadOnlyList<Letter> Sample);

    public IReadOnlyList<string> Modules => [.. QueueByModule.Keys];

    private Dictionary<string, string> QueueByModule => catalog.Enabled.Where(m => m.Queue is not null)
        .ToDictionary(m => m.Name.ToLowerInvariant(), m => m.Queue!, StringComparer.Ordinal);

    /// <summary>Counts each error queue and peeks at its first messages; closing the channel unacked puts them back.</summary>
    public async Task<IReadOnlyList<Queue>> ListAsync(int peek, CancellationToken ct)
    {
        await using var connection = await ConnectAsync(ct);
        var queues = new List<Queue>();
        foreach (var (module, queue) in QueueByModule)
        {
            var errorQueue = queue + "_error";
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            uint count;
            try
            {
                count = (await channel.QueueDeclarePassiveAsync(errorQueue, ct)).MessageCount;
            }
            catch (OperationInterruptedException)
            {
                continue; // no error queue: nothing ever failed there
            }
            var sample = new List<Letter>();
            for (var i = 0; i < Math.Min(peek, count); i++)
            {
                if (await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is not { } result)
                {
                    break;
                }
                sample.Add(Describe(result));
            }
            queues.Add(new Queue(module, errorQueue, count, sample));
        }
        return queues;
    }

    internal sealed record Depth(string Module, string Queue, uint? Ready, uint? Consumers, uint? Errors);

    /// <summary>Each module queue's ready messages and consumers, and its error queue's messages (null: the queue does not exist).</summary>
    public async Task<IReadOnlyList<Depth>> DepthsAsync(CancellationToken ct)
    {
        await using var connection = await ConnectAsync(ct);
        var depths = new List<Depth>();
        foreach (var (module, queue) in QueueByModule)
        {
            var main = await PeekAsync(connection, queue, ct);
            var errors = await PeekAsync(connection, queue + "_error", ct);
            depths.Add(new Depth(module, queue, main?.MessageCount, main?.ConsumerCount, errors?.MessageCount));
        }
        return depths;
    }

    // A passive declare of a missing queue closes the channel: one channel per look.
    private static async Task<QueueDeclareOk?> PeekAsync(IConnection connection, string queue, CancellationToken ct)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue, ct);
        }
        catch (OperationInterruptedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Moves up to <paramref name="limit"/> messages back to the module's queue, body and MessageId unchanged so the
    /// inbox still dedupes. Each is acked off the error queue only after the broker confirmed its copy: a crash
    /// midway leaves a message in both queues, never in neither.
    /// </summary>
    public async Task<int> ReplayAsync(string module, int limit, CancellationToken ct)
    {
        var (queue, errorQueue) = QueuesOf(module);
        await using var connection = await ConnectAsync(ct);
        await using var channel = await ConfirmingChannelAsync(connection, ct);
        if (!await ExistsAsync(channel, errorQueue, ct))
        {
            return 0;
        }
        var replayed = 0;
        while (replayed < limit && await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is { } result)
        {
            await MoveBackAsync(channel, queue, result, ct);
            replayed++;
        }
        return replayed;
    }

    /// <summary>
    /// Moves the one message with this MessageId back to the module's queue, as <see cref="ReplayAsync"/> does; false
    /// when it is not among the first <paramref name="scanLimit"/> messages of the error queue (replayed already, say).
    /// The messages looked at on the way stay in the error queue: unacked, they go back when the channel closes.
    /// </summary>
    public async Task<bool> ReplayOneAsync(string module, Guid messageId, int scanLimit, CancellationToken ct)
    {
        var (queue, errorQueue) = QueuesOf(module);
        await using var connection = await ConnectAsync(ct);
        await using var channel = await ConfirmingChannelAsync(connection, ct);
        if (!await ExistsAsync(channel, errorQueue, ct))
        {
            return false;
        }
        for (var looked = 0; looked < scanLimit && await channel.BasicGetAsync(errorQueue, autoAck: false, ct) is { } result; looked++)
        {
            if (Guid.TryParse(result.BasicProperties.MessageId, out var id) && id == messageId)
            {
                await MoveBackAsync(channel, queue, result, ct);
                return true;
            }
        }
        return false;
    }

    private (string Queue, string ErrorQueue) QueuesOf(string module)
    {
        var queue = QueueByModule[module];
        return (queue, queue + "_error");
    }

    private static Task<IChannel> ConfirmingChannelAsync(IConnection connection, CancellationToken ct) => connection.CreateChannelAsync(
        new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);

    private static async Task<bool> ExistsAsync(IChannel channel, string queue, CancellationToken ct)
    {
        try
        {
            await channel.QueueDeclarePassiveAsync(queue, ct);
            return true;
        }
        catch (OperationInterruptedException)
        {
            return false;
        }
    }

    // The fault headers go: the replayed message is a new attempt, not a fault.
    private static async Task MoveBackAsync(IChannel channel, string queue, BasicGetResult result, CancellationToken ct)
    {
        var properties = new BasicProperties(result.BasicProperties);
        properties.Headers = result.BasicProperties.Headers?
            .Where(h => !h.Key.StartsWith("MT-Fault-", StringComparison.Ordinal) && h.Key != "MT-Reason")
            .ToDictionary(h => h.Key, h => h.Value);
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, result.Body, ct);
        await channel.BasicAckAsync(result.DeliveryTag, multiple: false, ct);
    }

    private static Letter Describe(BasicGetResult result)
    {
        var headers = result.BasicProperties.Headers;
        string? Header(string name) => headers?.TryGetValue(name, out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
        return new Letter(Guid.TryParse(result.BasicProperties.MessageId, out var id) ? id : null, result.BasicProperties.Type,
            Header("MT-Fault-Message"), Header("MT-Fault-ExceptionType"), result.Redelivered);
    }

    private Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        var options = configuration.GetSection("RabbitMq").Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        var factory = new ConnectionFactory
        {
            HostName = options.Host, Port = options.Port, VirtualHost = options.VirtualHost,
            UserName = options.Username, Password = options.Password, ClientProvidedName = "ordersystem-dead-letters",
        };
        return factory.CreateConnectionAsync(ct);
    }
}
