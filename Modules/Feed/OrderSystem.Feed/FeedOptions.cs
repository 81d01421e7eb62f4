namespace OrderSystem.Feed;

/// <summary>The "Feed" section of the configuration.</summary>
public sealed class FeedOptions
{
    /// <summary>Off only to measure the feed's cost: nothing is then recorded for it, and the stream misses what happens meanwhile.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The stream's retention by age (x-max-age); 336 h = 14 days.</summary>
    public int MaxAgeHours { get; set; } = 336;

    /// <summary>The stream's retention by size (x-max-length-bytes), whichever limit comes first; 20 GB.</summary>
    public long MaxBytes { get; set; } = 20_000_000_000;

    /// <summary>The size of one segment file of the stream: retention deletes whole segments.</summary>
    public long SegmentBytes { get; set; } = 100_000_000;

    /// <summary>How often the sequencer looks for new changes when the last look found none.</summary>
    public int PollMs { get; set; } = 50;

    /// <summary>Changes sequenced, and events published, per transaction.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Orders whose feed state the sequencer keeps in memory, per generation (two): an order met again within that many
    /// others is not read back from feed_orders. About 1-2 KB each.
    /// </summary>
    public int StateCacheSize { get; set; } = 20_000;

    /// <summary>How often a standby host tries to become the sequencer.</summary>
    public int StandbyPollMs { get; set; } = 1000;

    public int PublishTimeoutMs { get; set; } = 10000;

    /// <summary>How often feed_events is trimmed to the stream's age (<see cref="MaxAgeHours"/>); every minute.</summary>
    public int TrimIntervalMs { get; set; } = 60_000;

    /// <summary>Events deleted per trimming transaction.</summary>
    public int TrimBatchSize { get; set; } = 1000;
}
