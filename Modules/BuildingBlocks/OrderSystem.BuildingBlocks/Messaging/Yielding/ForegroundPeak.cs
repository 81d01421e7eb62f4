using Microsoft.Extensions.Options;

namespace OrderSystem.BuildingBlocks.Messaging.Yielding;

/// <summary>
/// Whether this process is taking a peak of foreground requests, such as a flash sale's wave: on from the moment the
/// requests arrive at <see cref="YieldOptions.PeakRequestsPerSecond"/> or more (counted per tenth of a second), and for
/// a second after they fall below it. While it is on, a fulfilling module's message waits until
/// <see cref="YieldOptions.PeakHoldMs"/> after it was sent (decision 0035): the fulfillment of a peak's seconds runs
/// after them, in the order and at the pace it was sent, and its lag grows by that hold at most. A held message keeps
/// its hold when the peak ends, so that the backlog drains at that pace rather than at once.
/// </summary>
public sealed class ForegroundPeak(IOptions<YieldOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan Tenth = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    private readonly int _perTenth = Math.Max(1, (int)Math.Ceiling(options.Value.PeakRequestsPerSecond / 10.0));
    private readonly TimeSpan _hold = TimeSpan.FromMilliseconds(Math.Max(0, options.Value.PeakHoldMs));
    private readonly Lock _gate = new();
    private long _tenthStartedAt = clock.GetTimestamp();
    private int _inThisTenth;
    private long _reachedAt = long.MinValue;

    /// <summary>One foreground request arrived.</summary>
    public void Note()
    {
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            if (clock.GetElapsedTime(_tenthStartedAt, now) >= Tenth)
            {
                _tenthStartedAt = now;
                _inThisTenth = 0;
            }
            if (++_inThisTenth >= _perTenth)
            {
                _reachedAt = now;
            }
        }
    }

    public bool IsOn
    {
        get
        {
            lock (_gate)
            {
                return _reachedAt != long.MinValue && clock.GetElapsedTime(_reachedAt) < Linger;
            }
        }
    }

    /// <summary>Waits out <see cref="HoldFor"/> of a message sent at <paramref name="sentAt"/>; returns at once without a peak.</summary>
    public Task HoldAsync(DateTime? sentAt, CancellationToken ct) =>
        HoldFor(sentAt) is var hold && hold > TimeSpan.Zero ? Task.Delay(hold, clock, ct) : Task.CompletedTask;

    /// <summary>
    /// How long a fulfilling message sent at <paramref name="sentAt"/> waits before it runs: nothing without a peak, else
    /// until the hold after its sending has passed (never longer than the hold, whatever the sender's clock said).
    /// </summary>
    public TimeSpan HoldFor(DateTime? sentAt)
    {
        if (_hold == TimeSpan.Zero || !IsOn)
        {
            return TimeSpan.Zero;
        }
        var age = sentAt is { } sent ? clock.GetUtcNow().UtcDateTime - DateTime.SpecifyKind(sent, DateTimeKind.Utc) : TimeSpan.Zero;
        return TimeSpan.FromTicks(Math.Clamp((_hold - age).Ticks, 0, _hold.Ticks));
    }
}
