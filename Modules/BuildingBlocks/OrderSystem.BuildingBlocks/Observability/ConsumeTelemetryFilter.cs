using System.Diagnostics;
using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace OrderSystem.BuildingBlocks.Observability;

/// <summary>
/// Wraps every consumer: a log scope with the message id and order id (so any log line written while handling the
/// message names both), the order id on the consume span, and consume latency and failures per module queue.
/// It sits outside the consumers' retry, so a failure here is a message that exhausted its retries.
/// </summary>
internal sealed partial class ConsumeTelemetryFilter<T>(ILogger<ConsumeTelemetryFilter<T>> logger)
    : IFilter<ConsumeContext<T>>
    where T : class
{
    // Every contract carries the order it is about; read it once per message type, not per message.
    private static readonly PropertyInfo? OrderIdProperty = typeof(T).GetProperty("OrderId", typeof(Guid));

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var module = context.ReceiveContext.InputAddress?.Segments.LastOrDefault() ?? "unknown";
        var orderId = OrderIdProperty?.GetValue(context.Message) as Guid?;
        Activity.Current?.SetTag("order.id", orderId);
        using var scope = logger.BeginScope(new LogScope(
            ("OrderId", orderId), ("MessageId", context.MessageId), ("MessageType", typeof(T).Name), ("Module", module)));
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next.Send(context);
            var elapsed = Stopwatch.GetElapsedTime(started);
            MessagingMetrics.Consumed(module, typeof(T).Name, succeeded: true, elapsed);
            LogHandled(typeof(T).Name, context.MessageId, orderId, module, elapsed.TotalMilliseconds);
        }
        catch (Exception e)
        {
            MessagingMetrics.Consumed(module, typeof(T).Name, succeeded: false, Stopwatch.GetElapsedTime(started));
            LogFailed(typeof(T).Name, context.MessageId, orderId, module, e);
            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("orderSystemTelemetry");

    [LoggerMessage(LogLevel.Information, "Handled {MessageType} {MessageId} for order {OrderId} on {Module} in {ElapsedMs:0.0} ms")]
    private partial void LogHandled(string messageType, Guid? messageId, Guid? orderId, string module, double elapsedMs);

    [LoggerMessage(LogLevel.Warning, "Failed {MessageType} {MessageId} for order {OrderId} on {Module} after all retries; it goes to the error queue")]
    private partial void LogFailed(string messageType, Guid? messageId, Guid? orderId, string module, Exception exception);
}
