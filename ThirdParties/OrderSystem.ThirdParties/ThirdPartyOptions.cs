namespace OrderSystem.ThirdParties;

/// <summary>Where the third parties are: ThirdParties:BaseUrl (the simulator by default; a real provider in production).</summary>
public sealed class ThirdPartiesOptions
{
    public const string Section = "ThirdParties";

    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:5089/");
}

/// <summary>
/// One party's resilience pipeline, under ThirdParties:{Party}. Each module that calls a party passes its defaults, chosen
/// from the party's normal worst case (docs/reliability.md gives the numbers and the reasons).
/// </summary>
public sealed class ThirdPartyResilience
{
    /// <summary>One attempt: above the party's normal worst answer (delay plus spike), below a hang.</summary>
    public int AttemptTimeoutMs { get; set; } = 3000;

    /// <summary>All attempts of one call together, retry delays included.</summary>
    public int TotalTimeoutMs { get; set; } = 12000;

    /// <summary>Retries after the first attempt; only calls that carry an idempotency key (or are GETs) are retried.</summary>
    public int MaxRetries { get; set; } = 2;

    public int RetryDelayMs { get; set; } = 200;

    /// <summary>The bulkhead: calls in flight to this party at once (also its connection pool size).</summary>
    public int Concurrency { get; set; } = 64;

    /// <summary>Calls that may wait for a bulkhead slot; more are refused at once.</summary>
    public int QueueLimit { get; set; } = 512;

    /// <summary>The breaker opens when this share of the attempts in the sampling window failed...</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>...and the window held at least this many attempts.</summary>
    public int MinimumThroughput { get; set; } = 10;

    public int SamplingDurationMs { get; set; } = 30000;

    /// <summary>How long the breaker stays open before a probe may try the party again.</summary>
    public int BreakDurationMs { get; set; } = 5000;
}
