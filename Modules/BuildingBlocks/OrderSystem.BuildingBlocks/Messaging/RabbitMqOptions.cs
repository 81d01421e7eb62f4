namespace OrderSystem.BuildingBlocks.Messaging;

public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

    /// <summary>
    /// Several broker nodes of one cluster, "host:port,host:port". When set, the connection goes to a live node and
    /// moves to another when that one is lost; Host and Port are then not used.
    /// </summary>
    public string? Nodes { get; set; }

    /// <summary>"classic", or "quorum" for queues replicated across a cluster (Raft) that survive a node's loss.</summary>
    public string QueueType { get; set; } = "classic";

    internal IReadOnlyList<string> NodeList() =>
        Nodes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    internal bool UsesQuorumQueues => QueueType.ToLowerInvariant() switch
    {
        "classic" => false,
        "quorum" => true,
        _ => throw new InvalidOperationException($"RabbitMq:QueueType is '{QueueType}'; use classic or quorum."),
    };
}

public sealed class ConsumerRetryOptions
{
    /// <summary>
    /// Waits between in-process retries of a failing message; once they are spent it goes to the error queue. Unset, it
    /// is 100, 500, 2000, 5000. No default in the property itself: the configuration binder appends the configured
    /// values to an existing array instead of replacing it, which once doubled the retries (and their 7.6 s).
    /// </summary>
    public int[]? RetryIntervalsMs { get; set; }

    internal int[] RetryIntervals => RetryIntervalsMs is { Length: > 0 } configured ? configured : [100, 500, 2000, 5000];

    /// <summary>While the database is unreachable a message is retried this often, up to the limit (5 minutes by default).</summary>
    public int OutageRetryIntervalMs { get; set; } = 2000;

    public int OutageRetryLimit { get; set; } = 150;
}
