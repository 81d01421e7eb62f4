namespace OrderSystem.BuildingBlocks.Messaging;

public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";
}

public sealed class ConsumerRetryOptions
{
    /// <summary>Waits between in-process retries of a failing message; once they are spent it goes to the error queue.</summary>
    public int[] RetryIntervalsMs { get; set; } = [100, 500, 2000, 5000];

    /// <summary>While the database is unreachable a message is retried this often, up to the limit (5 minutes by default).</summary>
    public int OutageRetryIntervalMs { get; set; } = 2000;

    public int OutageRetryLimit { get; set; } = 150;
}
