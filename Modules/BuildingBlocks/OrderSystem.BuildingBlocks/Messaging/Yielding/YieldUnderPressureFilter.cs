using MassTransit;

namespace OrderSystem.BuildingBlocks.Messaging.Yielding;

/// <summary>Holds a module's message until its <see cref="AdaptiveConcurrency"/> lets it run (outermost, so retries keep their place).</summary>
internal sealed class YieldUnderPressureFilter<TConsumer>(AdaptiveConcurrency concurrency) : IFilter<ConsumerConsumeContext<TConsumer>>
    where TConsumer : class
{
    public async Task Send(ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next)
    {
        await concurrency.EnterAsync(context.CancellationToken);
        try
        {
            await next.Send(context);
        }
        finally
        {
            concurrency.Exit();
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("yieldUnderPressure");
}
