using MassTransit;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Marketing.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfilment;

/// <summary>Marks the order's coupon step Done when Marketing, running in another process, reports it.</summary>
internal sealed class RecordCouponIssued(Db db) : IConsumer<CouponIssued>
{
    public Task Consume(ConsumeContext<CouponIssued> context) => FulfilmentWrites.RecordAsync(
        db, context.Message.OrderId, FulfilmentStep.Coupon, "Done", context.Message.OccurredAt);
}
