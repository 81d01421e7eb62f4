using MassTransit;
using OrderSystem.Marketing.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>Marks the order's coupon step Done when Marketing, running in another process, reports it.</summary>
internal sealed class RecordCouponIssued(FulfillmentWrites writes) : IConsumer<CouponIssued>
{
    public Task Consume(ConsumeContext<CouponIssued> context) => writes.RecordAsync(
        context.Message.OrderId, FulfillmentStep.Coupon, "Done", context.Message.OccurredAt,
        context.Message.OrderPaidMessageId, context.Message.Attempts);
}
