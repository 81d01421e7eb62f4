using OrderSystem.Bench.Hosting;
using OrderSystem.Bench.Load;
using OrderSystem.Bench.Outbox;

namespace OrderSystem.Bench.Report;

/// <summary>One measured run of payments: what was run, what it measured, and what it cost the machine.</summary>
internal sealed record RunRecord(
    string Name,
    string Scenario,
    string Costs,
    string Mode,
    LoadResult Load,
    Usage Usage,
    long? BacklogPeak = null,
    LagResult? Lag = null,
    DbCounters? Db = null)
{
    /// <summary>A ceiling measured straight against the servers, with no asynchronous work behind it.</summary>
    public bool IsLimit => Scenario.StartsWith("limits", StringComparison.Ordinal);

    /// <summary>A limit's CPU per operation in ms: the benchmark process (which runs it) and MariaDB.</summary>
    public double LimitCpuMsPerOperation => (Usage.CpuPercent + Usage.DatabaseCpuPercent) / 100 * Load.Elapsed.TotalMilliseconds / Load.Latency.Count;
}

/// <summary>CPU is in percent of one core (200% = both cores of a 2-core machine); the machine figure is of all cores.</summary>
internal sealed record Usage(
    string Process, double CpuPercent, double PeakMemoryMb, double MachineCpuPercent,
    double BenchCpuPercent = double.NaN, double DatabaseCpuPercent = double.NaN, double BrokerCpuPercent = double.NaN);

internal sealed record RelayRecord(int Rows, double Seconds, Usage Usage, int BodyBytes)
{
    public double PerSecond => Rows / Seconds;
}
