using MassTransit;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>
/// MassTransit publishes Fault&lt;OrderPaid&gt; when a module's consumer has spent its retries and the message went to
/// that module's error queue. The fault's source address names the queue; the module declaring that queue names the
/// step that failed. A replay that later succeeds turns the step Done. The fault names the message that failed, not how
/// many attempts it had: the attempts stay unknown until a delivery succeeds.
/// </summary>
internal sealed class RecordFailedStep(FulfillmentWrites writes, ModuleCatalog modules) : IConsumer<Fault<OrderPaid>>
{
    public Task Consume(ConsumeContext<Fault<OrderPaid>> context)
    {
        var queue = context.SourceAddress?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        var step = queue is null ? null : modules.ByQueue(queue)?.ReportedStep;
        if (step is null)
        {
            return Task.CompletedTask; // a fault of a module that carries out no fulfillment step
        }
        return writes.RecordAsync(context.Message.Message.OrderId, FulfillmentWrites.StepNamed(step), "Failed",
            context.Message.Timestamp.ToUniversalTime(), context.Message.FaultedMessageId, attempts: null);
    }
}
