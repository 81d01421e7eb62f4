using OrderSystem.Bench.Load;
using OrderSystem.Bench.Report;

namespace OrderSystem.Bench.Feed;

/// <summary>The feed scenario: pairs of payment runs at 64 buyers with the feed off and on, and the feed's lag at a set rate of changes.</summary>
internal sealed record FeedRecord(IReadOnlyList<FeedCostPair> Pairs, FeedLag Lag)
{
    /// <summary>The median pair's on ÷ off: one run's noise moves it less than any single pair.</summary>
    public double Ratio
    {
        get
        {
            var ratios = Pairs.Select(p => p.Ratio).Order().ToList();
            var middle = ratios.Count / 2;
            return ratios.Count % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
        }
    }

    /// <summary>All payments with the feed on ÷ all with it off, over every pair.</summary>
    public double PooledRatio => Pairs.Sum(p => p.On.Load.PerSecond) / Pairs.Sum(p => p.Off.Load.PerSecond);
}

/// <summary>One run with the feed off and its neighbouring run with it on.</summary>
internal sealed record FeedCostPair(RunRecord Off, RunRecord On)
{
    public double Ratio => On.Load.PerSecond / Off.Load.PerSecond;
}

/// <summary>Commit-to-stream lag (ms) of the changes made while payments ran at a set rate, and the rate of changes reached.</summary>
internal sealed record FeedLag(double TargetChangesPerSecond, double ChangesPerSecond, LatencyStats Latency, double PaymentsPerSecond);
