using System.Collections.Concurrent;
using MassTransit;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>Counts messages each consumer finished, so a test can wait until a duplicate has really been handled.</summary>
internal sealed class ConsumeCounter : IConsumeObserver
{
    private readonly ConcurrentDictionary<(Type Message, Guid? MessageId), int> _counts = new();

    public int Count<T>(Guid messageId) => _counts.GetValueOrDefault((typeof(T), messageId));

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        _counts.AddOrUpdate((typeof(T), context.MessageId), 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
