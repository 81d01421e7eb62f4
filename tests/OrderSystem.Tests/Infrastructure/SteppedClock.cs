namespace OrderSystem.Tests.Infrastructure;

/// <summary>A clock that moves only when a test advances it: its wall clock from <c>start</c>, its steady clock from 0.</summary>
internal sealed class SteppedClock(DateTime? start = null) : TimeProvider
{
    private readonly DateTimeOffset _start = start ?? new DateTime(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => _start.AddTicks(_ticks);

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
