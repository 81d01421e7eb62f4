namespace OrderSystem.Warehouse.Contracts;

/// <summary>The logistics system accepted a shipment for a paid order.</summary>
public sealed record ShipmentRequested(Guid OrderId, Guid ShipmentId, string TrackingNumber, DateTime OccurredAt);
