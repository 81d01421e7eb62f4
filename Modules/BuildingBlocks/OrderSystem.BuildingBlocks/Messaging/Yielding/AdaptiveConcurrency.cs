namespace OrderSystem.BuildingBlocks.Messaging.Yielding;

/// <summary>
/// One module's share of the cores, adjusted like TCP's congestion window: halved (down to a floor) at each adjustment
/// while <see cref="LoadPressure"/> is high, doubled while it is not, until it no longer limits anything. Messages beyond
/// the limit wait in memory, unacknowledged, in arrival order; the queue's own prefetch still bounds how many.
/// </summary>
public sealed class AdaptiveConcurrency(LoadPressure pressure, int minimum, TimeProvider clock)
{
    private readonly int _minimum = Math.Max(1, minimum);
    public const int Unlimited = 1 << 16;
    private static readonly TimeSpan AdjustEvery = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiting = new();
    private long _adjustedAt = clock.GetTimestamp();
    private int _inFlight;

    public int Limit { get; private set; } = Unlimited;

    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    public async Task EnterAsync(CancellationToken ct)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            Adjust();
            Admit();
            if (_inFlight < Limit && _waiting.Count == 0)
            {
                _inFlight++;
                return;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(waiter);
        }
        // A cancelled wait (the bus stopping) stays in the queue, cancelled: Admit skips it.
        using var cancel = ct.Register(() => waiter.TrySetCanceled(ct));
        await waiter.Task;
    }

    public void Exit()
    {
        lock (_gate)
        {
            _inFlight--;
            Adjust();
            Admit();
        }
    }

    private void Adjust()
    {
        if (clock.GetElapsedTime(_adjustedAt) < AdjustEvery)
        {
            return;
        }
        _adjustedAt = clock.GetTimestamp();
        Limit = pressure.IsHigh
            ? Math.Max(_minimum, Math.Min(Limit, Math.Max(_inFlight, 1)) / 2)
            : Math.Min(Unlimited, Limit * 2);
    }

    private void Admit()
    {
        while (_inFlight < Limit && _waiting.TryDequeue(out var next))
        {
            if (next.TrySetResult())
            {
                _inFlight++;
            }
        }
    }
}
