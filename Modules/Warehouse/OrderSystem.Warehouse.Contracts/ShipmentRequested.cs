namespace OrderSystem.Warehouse.Contracts;

/// <summary>The logistics system accepted a shipment for a paid order. <c>OrderPaidMessageId</c> is the
/// <c>OrderPaid</c> it carried out, <c>Attempts</c> how many deliveries that took (both null from a sender older than them).</summary>
public sealed record ShipmentRequested(Guid OrderId, Guid ShipmentId, string TrackingNumber,
    DateTime OccurredAt, Guid? OrderPaidMessageId = null, int? Attempts = null);
