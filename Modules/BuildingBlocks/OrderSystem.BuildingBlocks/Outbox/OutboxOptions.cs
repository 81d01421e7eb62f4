namespace OrderSystem.BuildingBlocks.Outbox;

public sealed class OutboxOptions
{
    /// <summary>The safety-net poll for rows left by a crash or by another instance; commits wake the relay at once.</summary>
    public int PollIntervalMs { get; set; } = 5000;
    public int BatchSize { get; set; } = 200;
    public int PublishTimeoutMs { get; set; } = 10000;
    public int MaxBackoffMs { get; set; } = 30000;
}
