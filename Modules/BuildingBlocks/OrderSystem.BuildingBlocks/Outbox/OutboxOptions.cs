namespace OrderSystem.BuildingBlocks.Outbox;

public sealed class OutboxOptions
{
    /// <summary>The safety-net poll for rows left by a crash or by another instance; commits wake the relay at once.</summary>
    public int PollIntervalMs { get; set; } = 5000;
    public int BatchSize { get; set; } = 200;
    public int PublishTimeoutMs { get; set; } = 10000;
    public int MaxBackoffMs { get; set; } = 30000;

    /// <summary>
    /// Attempts after which a row is parked: the relay no longer claims it, the operator's retry re-arms it. A row whose
    /// type does not resolve or whose payload does not deserialize is parked at once; passes that look like a broker
    /// outage do not count.
    /// </summary>
    public int MaxAttempts { get; set; } = 5;
}
