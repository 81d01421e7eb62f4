using OrderSystem.Bench.Hosting;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Capacity;

/// <summary>One offered rate of the capacity scenario: what was achieved, what it cost, and its lag window by window.</summary>
internal sealed record CapacityStep(
    double Fraction,
    double OfferedPerSecond,
    double AchievedPerSecond,
    int Paid,
    int Failed,
    LatencyStats Payment,
    LatencyStats Lag,
    IReadOnlyList<LagWindow> Windows,
    IReadOnlyDictionary<string, TimeSpan> Cpu,
    DbCounters Db,
    BrokerCounters Broker,
    double DrainSeconds)
{
    public const double LagLimitMs = 100;

    /// <summary>Every window's lag p99 within the limit, every payment of it fulfilled, and the offered rate reached.</summary>
    public bool IsSteady => Failed == 0 && Windows.Count > 0 && Windows.All(w => w.IsSteady(LagLimitMs)) && AchievedPerSecond >= 0.95 * OfferedPerSecond;

    public double CpuMsPerPayment(string process) => Paid == 0 || !Cpu.TryGetValue(process, out var t) ? double.NaN : t.TotalMilliseconds / Paid;

    public double ProductCpuMsPerPayment => ProcessCpu.Product.Sum(CpuMsPerPayment);

    public double PerPayment(long count) => Paid == 0 ? double.NaN : (double)count / Paid;
}

/// <summary>The bare transaction measured in the same sitting, and every step tried.</summary>
internal sealed record CapacityRecord(double BarePerSecond, double BareCpuMsPerTransaction, IReadOnlyList<CapacityStep> Steps, IReadOnlyList<string> Notes)
{
    /// <summary>The highest offered rate that was steady (none: null).</summary>
    public CapacityStep? Sustained => Steps.Where(s => s.IsSteady).MaxBy(s => s.OfferedPerSecond);

    public double SustainedRatio => Sustained is { } s ? s.OfferedPerSecond / BarePerSecond : 0;
}
