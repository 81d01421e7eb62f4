using MassTransit;
using OrderSystem.Order.Contracts;
using OrderSystem.Warehouse.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>Marks the order's shipment step Done when Warehouse, running in another process, reports it.</summary>
internal sealed class RecordShipmentRequested(FulfillmentWrites writes) : IConsumer<ShipmentRequested>
{
    public Task Consume(ConsumeContext<ShipmentRequested> context) => writes.RecordAsync(
        context.Message.OrderId, FulfillmentStep.Shipment, "Done", context.Message.OccurredAt,
        context.Message.OrderPaidMessageId, context.Message.Attempts);
}
