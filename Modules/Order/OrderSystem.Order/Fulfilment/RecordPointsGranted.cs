using MassTransit;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Order.Contracts;
using OrderSystem.Points.Contracts;

namespace OrderSystem.Order.Fulfilment;

/// <summary>Marks the order's points step Done when Points, running in another process, reports it.</summary>
internal sealed class RecordPointsGranted(Db db) : IConsumer<PointsGranted>
{
    public Task Consume(ConsumeContext<PointsGranted> context) => FulfilmentWrites.RecordAsync(
        db, context.Message.OrderId, FulfilmentStep.Points, "Done", context.Message.OccurredAt);
}
