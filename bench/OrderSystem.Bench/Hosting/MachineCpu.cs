namespace OrderSystem.Bench.Hosting;

/// <summary>Whole-machine CPU from /proc/stat: everything on the box (database, broker, host, load generator) counts.</summary>
internal static class MachineCpu
{
    public static (long Busy, long Total) Read()
    {
        if (Fields() is not { } fields)
        {
            return (0, 0);
        }
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0); // idle + iowait
        var total = fields.Take(8).Sum();
        return (total - idle, total);
    }

    /// <summary>
    /// The time the hypervisor ran other guests while this one had work (the eighth field): on a shared VM it reached
    /// 10-29% for seconds at a time and spoiled whole runs (performance.md, finding 44).
    /// </summary>
    public static (long Steal, long Total) ReadSteal() =>
        Fields() is { Length: >= 8 } fields ? (fields[7], fields.Take(8).Sum()) : (0, 0);

    private static long[]? Fields() => File.Exists("/proc/stat")
        ? File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray()
        : null;

    /// <summary>A counter's share of all cores' time between two readings (busy from Read, steal from ReadSteal), 0-100.</summary>
    public static double PercentBetween((long Part, long Total) before, (long Part, long Total) after) =>
        after.Total == before.Total ? double.NaN : 100.0 * (after.Part - before.Part) / (after.Total - before.Total);

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
