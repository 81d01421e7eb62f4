namespace OrderSystem.BuildingBlocks.Outbox;

/// <summary>Wakes a relay the moment a transaction that wrote outbox rows has committed.</summary>
internal sealed class OutboxSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private int _pending;

    public void Notify()
    {
        // Hundreds of commits a second notify a relay that is already awake: one pending wake-up is enough, and the
        // flag keeps that cheap (no SemaphoreFullException thrown and caught per commit).
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _semaphore.Release();
        }
    }

    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var signalled = await _semaphore.WaitAsync(timeout, ct);
        // Cleared before the relay's next pass, so a commit during that pass wakes it again.
        Volatile.Write(ref _pending, 0);
        return signalled;
    }
}
