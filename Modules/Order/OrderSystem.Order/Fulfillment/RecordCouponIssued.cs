using MassTransit;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Marketing.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>Marks the order's coupon step Done when Marketing, running in another process, reports it.</summary>
internal sealed class RecordCouponIssued(ModuleStore<ModuleTag> orders) : IConsumer<CouponIssued>
{
    public Task Consume(ConsumeContext<CouponIssued> context) => FulfillmentWrites.RecordAsync(
        orders.Db, context.Message.OrderId, FulfillmentStep.Coupon, "Done", context.Message.OccurredAt);
}
