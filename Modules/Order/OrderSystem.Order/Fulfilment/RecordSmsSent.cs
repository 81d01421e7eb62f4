using MassTransit;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Order.Contracts;
using OrderSystem.Push.Contracts;

namespace OrderSystem.Order.Fulfilment;

/// <summary>Marks the order's SMS step Done when Push, running in another process, reports it.</summary>
internal sealed class RecordSmsSent(Db db) : IConsumer<SmsSent>
{
    public Task Consume(ConsumeContext<SmsSent> context) => FulfilmentWrites.RecordAsync(
        db, context.Message.OrderId, FulfilmentStep.Sms, "Done", context.Message.OccurredAt);
}
