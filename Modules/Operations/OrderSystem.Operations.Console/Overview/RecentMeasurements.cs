using System.Diagnostics.Metrics;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.Operations.Console.Overview;

/// <summary>
/// What the host's own instruments recorded since the last sample: payment callbacks and their latency, messages
/// consumed and failed per module, third-party calls per party. It listens (a <see cref="MeterListener"/>) only while
/// someone watches the overview, so an unwatched host pays nothing; watched, each measurement costs a short lock.
/// Measurements are this process's (two hosts in one process, as in the tests, are heard together).
/// </summary>
internal sealed class RecentMeasurements : IDisposable
{
    private const string PaymentDuration = "ordersystem.payment.duration";
    private const string ConsumeDuration = "ordersystem.consume.duration";
    private const string ConsumeFailures = "ordersystem.consume.failures";
    private const string ThirdPartyCalls = "ordersystem.third_party.calls";
    private const string ExpiryDelay = "ordersystem.expiry.delay";
    private const int MaxLatencies = 200_000; // a bound on memory at any payment rate; beyond it the latency is a sample

    private readonly Lock _lock = new();
    private MeterListener? _listener;
    private Window _window = new();

    /// <summary>Starts listening if it was not (the figures of the first sample after that cover part of its interval).</summary>
    public void Watch()
    {
        lock (_lock)
        {
            if (_listener is not null)
            {
                return;
            }
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == Telemetry.Name && instrument.Name is PaymentDuration or ConsumeDuration or ConsumeFailures or ThirdPartyCalls or ExpiryDelay)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<double>(OnDouble);
            _listener.SetMeasurementEventCallback<long>(OnLong);
            _listener.Start();
            _window = new Window();
        }
    }

    /// <summary>Stops listening: nobody watches.</summary>
    public void Unwatch()
    {
        lock (_lock)
        {
            _listener?.Dispose();
            _listener = null;
        }
    }

    /// <summary>The figures since the last call, per second of the time that passed, and a new window.</summary>
    public MeasuredFigures Take(DateTime now)
    {
        Window window;
        lock (_lock)
        {
            window = _window;
            _window = new Window { Since = now };
        }
        var seconds = Math.Max(0.001, (now - window.Since).TotalSeconds);
        window.PaymentMs.Sort();
        var modules = window.Consumed.Keys.Union(window.Failed.Keys).Order()
            .Select(m => new ModuleFlowFigure(m, window.Consumed.GetValueOrDefault(m) / seconds, window.Failed.GetValueOrDefault(m)))
            .ToList();
        var parties = window.Calls.Keys.Order()
            .Select(p => new PartyCallsFigure(p, window.Calls[p] / seconds,
                window.Calls[p] == 0 ? null : (double)window.FailedCalls.GetValueOrDefault(p) / window.Calls[p]))
            .ToList();
        window.ExpiryDelaySeconds.Sort();
        return new MeasuredFigures(window.Payments / seconds, Percentile(window.PaymentMs, 0.50), Percentile(window.PaymentMs, 0.99),
            modules, parties, window.ExpiryDelaySeconds.Count, Percentile(window.ExpiryDelaySeconds, 0.99));
    }

    public void Dispose() => Unwatch();

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var module = instrument.Name == ConsumeDuration ? Tag(tags, "module") : null;
        lock (_lock)
        {
            if (instrument.Name == PaymentDuration)
            {
                _window.Payments++;
                if (_window.PaymentMs.Count < MaxLatencies)
                {
                    _window.PaymentMs.Add(value * 1000);
                }
            }
            else if (instrument.Name == ExpiryDelay)
            {
                if (_window.ExpiryDelaySeconds.Count < MaxLatencies)
                {
                    _window.ExpiryDelaySeconds.Add(value);
                }
            }
            else if (module is not null)
            {
                _window.Consumed[module] = _window.Consumed.GetValueOrDefault(module) + 1;
            }
        }
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == ConsumeFailures && Tag(tags, "module") is { } module)
        {
            lock (_lock)
            {
                _window.Failed[module] = _window.Failed.GetValueOrDefault(module) + value;
            }
        }
        else if (instrument.Name == ThirdPartyCalls && Tag(tags, "party") is { } party)
        {
            var failed = Tag(tags, "outcome") == "unavailable";
            lock (_lock)
            {
                _window.Calls[party] = _window.Calls.GetValueOrDefault(party) + value;
                if (failed)
                {
                    _window.FailedCalls[party] = _window.FailedCalls.GetValueOrDefault(party) + value;
                }
            }
        }
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string;
            }
        }
        return null;
    }

    private static double? Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private sealed class Window
    {
        public DateTime Since { get; init; } = DateTime.UtcNow;
        public long Payments { get; set; }
        public List<double> PaymentMs { get; } = [];
        public List<double> ExpiryDelaySeconds { get; } = [];
        public Dictionary<string, long> Consumed { get; } = [];
        public Dictionary<string, long> Failed { get; } = [];
        public Dictionary<string, long> Calls { get; } = [];
        public Dictionary<string, long> FailedCalls { get; } = [];
    }
}

/// <summary>
/// Rates per second over one sample's interval; latencies in ms (null: no payment in it); orders the expiry closer
/// closed in it and their closing delay p99 (s after their deadline; null: none closed).
/// </summary>
internal sealed record MeasuredFigures(
    double PaymentsPerSecond, double? PaymentP50Ms, double? PaymentP99Ms, IReadOnlyList<ModuleFlowFigure> Modules,
    IReadOnlyList<PartyCallsFigure> Parties, int Expired, double? ExpiryDelayP99Seconds);

/// <summary>A module's consumed messages per second and the messages that failed after all retries (to its _error queue).</summary>
internal sealed record ModuleFlowFigure(string Module, double ConsumedPerSecond, long Failed);

/// <summary>A third party's calls per second and the share that found it unavailable (null: no call).</summary>
internal sealed record PartyCallsFigure(string Party, double CallsPerSecond, double? ErrorRate);
