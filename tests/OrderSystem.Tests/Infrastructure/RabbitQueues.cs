using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>Asks the broker itself (over AMQP) about queues: the management API's numbers are statistics that lag by seconds.</summary>
internal static class RabbitQueues
{
    public static async Task<long> ReadyMessagesAsync(string vhost, IEnumerable<string> queues)
    {
        await using var connection = await ConnectAsync(vhost);
        await using var channel = await connection.CreateChannelAsync();
        long ready = 0;
        foreach (var queue in queues)
        {
            ready += (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        return ready;
    }

    /// <summary>Consumers on each queue right now; a queue not declared yet is left out.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> ConsumerCountsAsync(string vhost, IEnumerable<string> queues)
    {
        await using var connection = await ConnectAsync(vhost);
        var counts = new Dictionary<string, int>();
        foreach (var queue in queues)
        {
            // A passive declare of a missing queue closes its channel: one channel per queue.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                counts[queue] = (int)(await channel.QueueDeclarePassiveAsync(queue)).ConsumerCount;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                // not declared yet
            }
        }
        return counts;
    }

    private static Task<IConnection> ConnectAsync(string vhost) => new ConnectionFactory
    {
        HostName = TestSettings.Configuration["RabbitMq:Host"]!,
        Port = int.Parse(TestSettings.Configuration["RabbitMq:Port"]!, System.Globalization.CultureInfo.InvariantCulture),
        VirtualHost = vhost,
        UserName = TestSettings.RabbitUser,
        Password = TestSettings.RabbitPassword,
    }.CreateConnectionAsync();
}
