using MassTransit;

namespace OrderSystem.BuildingBlocks.Messaging.Yielding;

/// <summary>
/// Holds a module's message while a <see cref="ForegroundPeak"/> asks it to wait, then until its <see cref="AdaptiveConcurrency"/>
/// lets it run (outermost, so retries keep their place).
/// </summary>
internal sealed class YieldUnderPressureFilter<TConsumer>(ForegroundPeak peak, AdaptiveConcurrency concurrency)
    : IFilter<ConsumerConsumeContext<TConsumer>>
    where TConsumer : class
{
    public async Task Send(ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next)
    {
        await peak.HoldAsync(context.SentTime, context.CancellationToken);
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
