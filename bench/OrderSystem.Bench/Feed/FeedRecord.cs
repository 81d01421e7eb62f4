using OrderSystem.Bench.Load;
using OrderSystem.Bench.Report;

namespace OrderSystem.Bench.Feed;

/// <summary>The feed scenario: payments at 64 buyers with the feed off and on, and the feed's lag at a set rate of changes.</summary>
internal sealed record FeedRecord(RunRecord Off, RunRecord On, FeedLag Lag)
{
    public double Ratio => On.Load.PerSecond / Off.Load.PerSecond;
}

/// <summary>Commit-to-stream lag (ms) of the changes made while payments ran at a set rate, and the rate of changes reached.</summary>
internal sealed record FeedLag(double TargetChangesPerSecond, double ChangesPerSecond, LatencyStats Latency, double PaymentsPerSecond);
