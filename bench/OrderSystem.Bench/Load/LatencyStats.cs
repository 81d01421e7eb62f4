namespace OrderSystem.Bench.Load;

/// <summary>Exact percentiles over every recorded latency (milliseconds); runs are small enough to keep them all.</summary>
internal sealed class LatencyStats
{
    private LatencyStats(double[] sorted) => Sorted = sorted;

    public double[] Sorted { get; }
    public int Count => Sorted.Length;
    public double P50 => At(0.50);
    public double P95 => At(0.95);
    public double P99 => At(0.99);
    public double Max => Count == 0 ? double.NaN : Sorted[^1];

    public static LatencyStats Of(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return new LatencyStats(sorted);
    }

    /// <summary>Nearest-rank percentile.</summary>
    public double At(double quantile) =>
        Count == 0 ? double.NaN : Sorted[Math.Clamp((int)Math.Ceiling(quantile * Count) - 1, 0, Count - 1)];
}
