using System.Diagnostics;
using OrderSystem.Bench.Report;

namespace OrderSystem.Bench.Hosting;

/// <summary>
/// Where the CPU went during a run: the measured process, this benchmark process, the local MariaDB and RabbitMQ (found
/// through scripts/servers.sh's pid files, when they run here) and the whole machine.
/// </summary>
internal sealed class CpuMeter
{
    private readonly IMeasuredProcess _process;
    private readonly ProcessSample _processBefore;
    private readonly TimeSpan _selfBefore = Self();
    private readonly (long Busy, long Total) _machineBefore = MachineCpu.Read();
    private readonly Dictionary<string, (int Pid, TimeSpan Before)> _servers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public CpuMeter(BenchOptions options, IMeasuredProcess process)
    {
        _process = process;
        _processBefore = process.Sample();
        foreach (var (name, pidFile) in new[] { ("MariaDB", ".local/mariadb/mariadb.pid"), ("RabbitMQ", ".local/rabbitmq/rabbitmq.pid") })
        {
            if (File.Exists(Path.Combine(options.RepoRoot, pidFile))
                && int.TryParse(File.ReadAllText(Path.Combine(options.RepoRoot, pidFile)).Trim(), out var pid)
                && CpuOf(pid) is { } before)
            {
                _servers[name] = (pid, before);
            }
        }
    }

    public Usage Stop()
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        var after = _process.Sample();
        double Percent(TimeSpan used) => 100 * used.TotalSeconds / seconds;
        var servers = _servers.ToDictionary(s => s.Key, s => CpuOf(s.Value.Pid) is { } now ? Percent(now - s.Value.Before) : double.NaN);
        return new Usage(_process.Description, Percent(after.CpuTime - _processBefore.CpuTime), after.PeakWorkingSetBytes / 1024.0 / 1024,
            MachineCpu.PercentBetween(_machineBefore, MachineCpu.Read()),
            Percent(Self() - _selfBefore), servers.GetValueOrDefault("MariaDB", double.NaN), servers.GetValueOrDefault("RabbitMQ", double.NaN));
    }

    private static TimeSpan Self()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    internal static TimeSpan? CpuOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
