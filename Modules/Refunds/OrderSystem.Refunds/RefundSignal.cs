using System.Threading.Channels;

namespace OrderSystem.Refunds;

/// <summary>Wakes the processor when a refund was committed, instead of at its next poll. Never blocks, never throws; one signal
/// per process wakes every processor in it, which is harmless.</summary>
internal static class RefundSignal
{
    private static readonly Channel<bool> Wakeups = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public static void Notify() => Wakeups.Writer.TryWrite(true);

    public static async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await Wakeups.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // the poll interval passed
        }
    }
}
