using System.Diagnostics;

namespace OrderSystem.Bench.Hosting;

/// <summary>The process whose CPU time and peak memory a scenario reports.</summary>
internal interface IMeasuredProcess
{
    string Description { get; }

    ProcessSample Sample();
}

internal sealed record ProcessSample(TimeSpan CpuTime, long PeakWorkingSetBytes);

/// <summary>The benchmark's own process: it hosts the synchronous chain, so its figures include the load generator.</summary>
internal sealed class CurrentProcess : IMeasuredProcess
{
    public string Description => "benchmark process (synchronous-chain host + load generator)";

    public ProcessSample Sample()
    {
        using var self = Process.GetCurrentProcess();
        return new ProcessSample(self.TotalProcessorTime, self.PeakWorkingSet64);
    }
}

/// <summary>A host elsewhere: nothing to read.</summary>
internal sealed class RemoteProcess : IMeasuredProcess
{
    public string Description => "remote host (not measured)";

    public ProcessSample Sample() => new(TimeSpan.Zero, 0);
}
