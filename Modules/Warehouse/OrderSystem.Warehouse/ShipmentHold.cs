using OrderSystem.ThirdParties;
using OrderSystem.Warehouse.Contracts;

namespace OrderSystem.Warehouse;

/// <summary>The port Order asks before it cancels a paid order (see <see cref="IShipmentHold"/>).</summary>
internal sealed class ShipmentHold(ShipmentStopper stopper) : IShipmentHold
{
    // The buyer waits on this answer: a logistics system that keeps failing (or whose breaker is open, where a call would
    // wait at the gate) gets this long, then the cancellation answers 503 and changes nothing.
    private static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(LogisticsGateway.Resilience.TotalTimeoutMs);

    public async Task<ShipmentStop> TryStopAsync(Guid orderId, CancellationToken ct)
    {
        // The hold first: from here on no waybill can be requested for the order without being cancelled again.
        await stopper.HoldAsync(orderId, ct);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(Patience);
        try
        {
            if (await stopper.CancelRecordedAsync(orderId, patience.Token))
            {
                return ShipmentStop.Stopped;
            }
            await stopper.ReleaseAsync(orderId, ct);
            return ShipmentStop.AlreadyLeft;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is OperationCanceledException or ThirdPartyUnavailableException
                                      or ThirdPartyRejectedException or HttpRequestException)
        {
            await stopper.ReleaseAsync(orderId, ct);
            return ShipmentStop.LogisticsUnavailable;
        }
    }
}
