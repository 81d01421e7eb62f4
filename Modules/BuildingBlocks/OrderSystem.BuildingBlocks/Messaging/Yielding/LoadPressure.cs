using Microsoft.Extensions.Options;

namespace OrderSystem.BuildingBlocks.Messaging.Yielding;

/// <summary>
/// Whether the foreground work of this process (the payments) is slowing down: the mean of its recent latencies, weighted
/// towards the newest, against <see cref="YieldOptions.PressurePaymentMs"/>. A process without payments, or one where
/// none arrived for a second, is never under pressure.
/// </summary>
public sealed class LoadPressure(IOptions<YieldOptions> options, TimeProvider clock)
{
    // About the last 20 payments: fast enough to see a burst begin within a few milliseconds at any rate that matters.
    private const double Weight = 0.05;
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private readonly double _thresholdMs = options.Value.PressurePaymentMs;
    private double _meanMs;
    private long _lastAt = long.MinValue;

    public void Record(TimeSpan latency)
    {
        lock (_gate)
        {
            _meanMs = _lastAt == long.MinValue ? latency.TotalMilliseconds : _meanMs + Weight * (latency.TotalMilliseconds - _meanMs);
            _lastAt = clock.GetTimestamp();
        }
    }

    public bool IsHigh
    {
        get
        {
            lock (_gate)
            {
                return _lastAt != long.MinValue && _meanMs >= _thresholdMs && clock.GetElapsedTime(_lastAt) < Quiet;
            }
        }
    }
}
