using MassTransit;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Points.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>Marks the order's points step Done when Points, running in another process, reports it.</summary>
internal sealed class RecordPointsGranted(ModuleStore<ModuleTag> orders) : IConsumer<PointsGranted>
{
    public Task Consume(ConsumeContext<PointsGranted> context) => FulfillmentWrites.RecordAsync(
        orders.Db, context.Message.OrderId, FulfillmentStep.Points, "Done", context.Message.OccurredAt);
}
