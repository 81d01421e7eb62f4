using MassTransit;
using OrderSystem.Order.Contracts;
using OrderSystem.Push.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>Marks the order's SMS step Done when Push, running in another process, reports it.</summary>
internal sealed class RecordSmsSent(FulfillmentWrites writes) : IConsumer<SmsSent>
{
    public Task Consume(ConsumeContext<SmsSent> context) => writes.RecordAsync(
        context.Message.OrderId, FulfillmentStep.Sms, "Done", context.Message.OccurredAt,
        context.Message.OrderPaidMessageId, context.Message.Attempts);
}
