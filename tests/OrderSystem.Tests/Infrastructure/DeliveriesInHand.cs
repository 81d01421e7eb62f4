using MassTransit;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>Counts deliveries a consumer has taken from a queue and not yet acknowledged or faulted (retries included).</summary>
internal sealed class DeliveriesInHand : IReceiveObserver
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public Task PreReceive(ReceiveContext context)
    {
        Interlocked.Increment(ref _count);
        return Task.CompletedTask;
    }

    public Task PostReceive(ReceiveContext context)
    {
        Interlocked.Decrement(ref _count);
        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        Interlocked.Decrement(ref _count);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class =>
        Task.CompletedTask;
}
