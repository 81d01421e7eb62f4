using MassTransit;

namespace OrderSystem.BuildingBlocks.Messaging;

/// <summary>
/// How many times a fulfilling module's consumer has been handed the message, this attempt included: the in-process
/// retries of this delivery (counted by <see cref="CountDeliveryAttemptsFilter{TConsumer}"/>, inside both retry
/// policies, so an outage's retries count too), plus deliveries before it (MassTransit's redelivery count, or the broker's
/// redelivered flag after a connection or process died with the message in hand). A replay from the error queue starts
/// again at 1: its fault headers are dropped.
/// </summary>
public static class DeliveryAttempts
{
    public static int Of<TConsumer>(ConsumeContext context) where TConsumer : class
    {
        var thisDelivery = context.ReceiveContext.TryGetPayload(out AttemptCounter<TConsumer>? counter)
            ? counter.Attempts
            : 1 + context.GetRetryAttempt();
        var redeliveries = context.GetRedeliveryCount();
        var before = redeliveries > 0 ? redeliveries : context.ReceiveContext.Redelivered ? 1 : 0;
        return thisDelivery + before;
    }
}

/// <summary>One per delivery and consumer, on the receive context that every retry of the delivery shares.</summary>
internal sealed class AttemptCounter<TConsumer>
{
    public int Attempts;
}

/// <summary>Innermost in a fulfilling consumer's pipe: runs once per attempt, and counts it.</summary>
internal sealed class CountDeliveryAttemptsFilter<TConsumer> : IFilter<ConsumerConsumeContext<TConsumer>>
    where TConsumer : class
{
    public Task Send(ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next)
    {
        Interlocked.Increment(ref context.ReceiveContext.GetOrAddPayload(() => new AttemptCounter<TConsumer>()).Attempts);
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("countDeliveryAttempts");
}
