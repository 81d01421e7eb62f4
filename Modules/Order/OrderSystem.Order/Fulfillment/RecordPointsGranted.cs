using MassTransit;
using OrderSystem.Order.Contracts;
using OrderSystem.Points.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>Marks the order's points step Done when Points, running in another process, reports it.</summary>
internal sealed class RecordPointsGranted(FulfillmentWrites writes) : IConsumer<PointsGranted>
{
    public Task Consume(ConsumeContext<PointsGranted> context) => writes.RecordAsync(
        context.Message.OrderId, FulfillmentStep.Points, "Done", context.Message.OccurredAt,
        context.Message.OrderPaidMessageId, context.Message.Attempts);
}
