using System.Threading.Channels;

namespace OrderSystem.BuildingBlocks.Outbox;

/// <summary>Wakes a relay the moment a transaction that wrote outbox rows has committed.</summary>
internal sealed class OutboxSignal
{
    // One pending wake-up is enough however many commits notify: a full channel drops the write. It never throws,
    // unlike the semaphore this replaces, whose Release could meet a full count in a narrow window and fail a commit
    // that had already happened (a 500 for a paid order).
    private readonly Channel<bool> _wakeUps = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Notify() => _wakeUps.Writer.TryWrite(true);

    /// <summary>True when woken, false when the timeout passed first. A wake-up during the relay's pass is kept for the next wait.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (_wakeUps.Reader.TryRead(out _))
        {
            return true;
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            return await _wakeUps.Reader.WaitToReadAsync(timer.Token) && _wakeUps.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
