using MassTransit;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Order.Contracts;
using OrderSystem.Warehouse.Contracts;

namespace OrderSystem.Order.Fulfilment;

/// <summary>Marks the order's shipment step Done when Warehouse, running in another process, reports it.</summary>
internal sealed class RecordShipmentRequested(Db db) : IConsumer<ShipmentRequested>
{
    public Task Consume(ConsumeContext<ShipmentRequested> context) => FulfilmentWrites.RecordAsync(
        db, context.Message.OrderId, FulfilmentStep.Shipment, "Done", context.Message.OccurredAt);
}
