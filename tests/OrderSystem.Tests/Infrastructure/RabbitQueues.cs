using RabbitMQ.Client;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>Asks the broker itself (over AMQP) how many messages wait in queues: the management API's numbers lag by seconds.</summary>
internal static class RabbitQueues
{
    public static async Task<long> ReadyMessagesAsync(string vhost, IEnumerable<string> queues)
    {
        var factory = new ConnectionFactory
        {
            HostName = TestSettings.Configuration["RabbitMq:Host"]!,
            Port = int.Parse(TestSettings.Configuration["RabbitMq:Port"]!, System.Globalization.CultureInfo.InvariantCulture),
            VirtualHost = vhost,
            UserName = TestSettings.RabbitUser,
            Password = TestSettings.RabbitPassword,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        long ready = 0;
        foreach (var queue in queues)
        {
            ready += (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        return ready;
    }
}
