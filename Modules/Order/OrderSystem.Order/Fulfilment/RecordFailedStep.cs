using MassTransit;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfilment;

/// <summary>
/// MassTransit publishes Fault&lt;OrderPaid&gt; when a module's consumer has spent its retries and the message went to
/// that module's error queue. The fault's source address names the queue, and so the step that failed. A replay that
/// later succeeds turns the step Done.
/// </summary>
internal sealed class RecordFailedStep(Db db) : IConsumer<Fault<OrderPaid>>
{
    private static readonly Dictionary<string, FulfilmentStep> StepByQueue = new(StringComparer.Ordinal)
    {
        ["points"] = FulfilmentStep.Points,
        ["marketing"] = FulfilmentStep.Coupon,
        ["push"] = FulfilmentStep.Sms,
        ["warehouse"] = FulfilmentStep.Shipment,
    };

    public Task Consume(ConsumeContext<Fault<OrderPaid>> context)
    {
        var queue = context.SourceAddress?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return queue is not null && StepByQueue.TryGetValue(queue, out var step)
            ? FulfilmentWrites.RecordAsync(db, context.Message.Message.OrderId, step, "Failed",
                context.Message.Timestamp.ToUniversalTime())
            : Task.CompletedTask;
    }
}
