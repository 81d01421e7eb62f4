namespace OrderSystem.Warehouse.Contracts;

/// <summary>
/// Warehouse's in-process port for the Order module, as Inventory's stock port: before Order cancels a paid order it asks
/// whether the shipment can still be stopped. The logistics call and its record stay inside Warehouse.
/// </summary>
public interface IShipmentHold
{
    /// <summary>
    /// Stops the order's shipment: cancels its waybill with the logistics system, or, when none was requested yet, records
    /// that none may be (a later OrderPaid then requests nothing). <see cref="ShipmentStop.AlreadyLeft"/> when the parcel was
    /// picked up; the order must then stay as it is.
    /// </summary>
    Task<ShipmentStop> TryStopAsync(Guid orderId, CancellationToken ct);
}

/// <summary>What stopping a shipment came to.</summary>
public enum ShipmentStop
{
    /// <summary>No parcel will leave: the waybill is cancelled, or none was requested and none will be.</summary>
    Stopped,

    /// <summary>The logistics system picked the parcel up: it can no longer be stopped.</summary>
    AlreadyLeft,

    /// <summary>The logistics system did not answer; nothing is decided, try again.</summary>
    LogisticsUnavailable,
}
