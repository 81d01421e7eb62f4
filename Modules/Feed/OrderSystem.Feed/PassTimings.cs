using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.Feed;

/// <summary>
/// Where the sequencer's time goes, phase by phase: the metric ordersystem.feed.phase.duration (tag phase), and a log line
/// every <see cref="Every"/> while it works, so a benchmark's host log says what a pass costs (docs/performance.md, 15).
/// Used by one sequencing loop and one publishing loop, each timing its own phases.
/// </summary>
internal sealed partial class PassTimings(ILogger logger)
{
    private static readonly Histogram<double> PhaseDuration = Telemetry.Meter.CreateHistogram<double>("ordersystem.feed.phase.duration", "s",
        "The time the feed's sequencer spent in one phase of a pass (read, project, write, publish, ...).", advice: Telemetry.Seconds);

    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Ticks, long Count)> _phases = new(StringComparer.Ordinal);
    private long _passes;
    private long _events;
    private long _started = Stopwatch.GetTimestamp();

    /// <summary>Times one phase: dispose the result when the phase ends.</summary>
    public Phase Time(string phase) => new(this, phase, Stopwatch.GetTimestamp());

    public void Pass(int events)
    {
        lock (_gate)
        {
            _passes++;
            _events += events;
        }
        Report();
    }

    private void Add(string phase, long ticks)
    {
        PhaseDuration.Record(Stopwatch.GetElapsedTime(0, ticks).TotalSeconds, new KeyValuePair<string, object?>("phase", phase));
        lock (_gate)
        {
            var (total, count) = _phases.GetValueOrDefault(phase);
            _phases[phase] = (total + ticks, count + 1);
        }
    }

    private void Report()
    {
        string line;
        long passes, events;
        lock (_gate)
        {
            var elapsed = Stopwatch.GetElapsedTime(_started);
            if (elapsed < Every || _events == 0)
            {
                return;
            }
            passes = _passes;
            events = _events;
            line = string.Join(", ", _phases.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
                $"{p.Key} {Stopwatch.GetElapsedTime(0, p.Value.Ticks).TotalMilliseconds / Math.Max(1, p.Value.Count):0.0} ms x{p.Value.Count}"));
            line = $"{elapsed.TotalSeconds:0.0} s: " + line;
            _phases.Clear();
            _passes = 0;
            _events = 0;
            _started = Stopwatch.GetTimestamp();
        }
        LogPasses(passes, events, line);
    }

    [LoggerMessage(LogLevel.Information, "Feed sequencer: {Passes} passes, {Events} events; mean per phase: {Phases}")]
    private partial void LogPasses(long passes, long events, string phases);

    internal readonly struct Phase(PassTimings owner, string name, long started) : IDisposable
    {
        public void Dispose() => owner.Add(name, Stopwatch.GetTimestamp() - started);
    }
}
