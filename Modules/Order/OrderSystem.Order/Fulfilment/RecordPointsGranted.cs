using MassTransit;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Points.Contracts;

namespace OrderSystem.Order.Fulfilment;

/// <summary>Marks the order's points step Done when Points reports it.</summary>
internal sealed class RecordPointsGranted(Db db) : IConsumer<PointsGranted>
{
    public Task Consume(ConsumeContext<PointsGranted> context) => FulfilmentStep.RecordAsync(
        db, context.Message.OrderId, FulfilmentStep.Points, "Done", context.Message.OccurredAt);
}
