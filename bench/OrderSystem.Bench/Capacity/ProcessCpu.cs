using OrderSystem.Bench.Hosting;

namespace OrderSystem.Bench.Capacity;

/// <summary>
/// CPU time of each process of the pipeline: the product host, MariaDB, RabbitMQ (beam), this benchmark (the load
/// generator) and the third-party simulator, the servers found through the scripts' pid files.
/// </summary>
internal sealed class ProcessCpu(BenchOptions options, IMeasuredProcess host)
{
    public const string Host = "host";
    public const string Database = "mariadbd";
    public const string Broker = "beam";
    public const string LoadGenerator = "load generator";
    public const string Simulator = "simulator";

    /// <summary>The processes counted as the product's cost; the simulator stands for the third parties and is shown apart.</summary>
    public static readonly string[] Product = [Host, Database, Broker, LoadGenerator];

    public IReadOnlyDictionary<string, TimeSpan> Read()
    {
        var simulatorPid = options.Simulator.Port == 5089 ? ".local/simulator.pid" : $".local/simulator-{options.Simulator.Port}.pid";
        var times = new Dictionary<string, TimeSpan> { [Host] = host.Sample().CpuTime, [LoadGenerator] = CpuMeter.CpuOf(Environment.ProcessId) ?? TimeSpan.Zero };
        foreach (var (name, pidFile) in new[] { (Database, ".local/mariadb/mariadb.pid"), (Broker, ".local/rabbitmq/rabbitmq.pid"), (Simulator, simulatorPid) })
        {
            var path = Path.Combine(options.RepoRoot, pidFile);
            if (File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var pid) && CpuMeter.CpuOf(pid) is { } cpu)
            {
                times[name] = cpu;
            }
        }
        return times;
    }

    public static IReadOnlyDictionary<string, TimeSpan> Between(IReadOnlyDictionary<string, TimeSpan> before, IReadOnlyDictionary<string, TimeSpan> after) =>
        after.Where(a => before.ContainsKey(a.Key)).ToDictionary(a => a.Key, a => a.Value - before[a.Key]);
}
