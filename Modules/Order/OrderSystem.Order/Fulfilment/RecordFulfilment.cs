using MassTransit;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.Marketing.Contracts;
using OrderSystem.Points.Contracts;
using OrderSystem.Push.Contracts;
using OrderSystem.Warehouse.Contracts;

namespace OrderSystem.Order.Fulfilment;

/// <summary>Marks the order's points step Done when Points reports it.</summary>
internal sealed class RecordPointsGranted(Db db) : IConsumer<PointsGranted>
{
    public Task Consume(ConsumeContext<PointsGranted> context) => FulfilmentStep.RecordAsync(
        db, context.Message.OrderId, FulfilmentStep.Points, "Done", context.Message.OccurredAt, context.CancellationToken);
}

/// <summary>Marks the order's coupon step Done when Marketing reports it.</summary>
internal sealed class RecordCouponIssued(Db db) : IConsumer<CouponIssued>
{
    public Task Consume(ConsumeContext<CouponIssued> context) => FulfilmentStep.RecordAsync(
        db, context.Message.OrderId, FulfilmentStep.Coupon, "Done", context.Message.OccurredAt, context.CancellationToken);
}

/// <summary>Marks the order's SMS step Done when Push reports it.</summary>
internal sealed class RecordSmsSent(Db db) : IConsumer<SmsSent>
{
    public Task Consume(ConsumeContext<SmsSent> context) => FulfilmentStep.RecordAsync(
        db, context.Message.OrderId, FulfilmentStep.Sms, "Done", context.Message.OccurredAt, context.CancellationToken);
}

/// <summary>Marks the order's shipment step Done when Warehouse reports it.</summary>
internal sealed class RecordShipmentRequested(Db db) : IConsumer<ShipmentRequested>
{
    public Task Consume(ConsumeContext<ShipmentRequested> context) => FulfilmentStep.RecordAsync(
        db, context.Message.OrderId, FulfilmentStep.Shipment, "Done", context.Message.OccurredAt, context.CancellationToken);
}

/// <summary>Order's completion consumers share the module's own queue, "order".</summary>
internal sealed class OrderConsumerDefinition<TConsumer>(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<TConsumer>("order", 32, retry)
    where TConsumer : class, IConsumer;
