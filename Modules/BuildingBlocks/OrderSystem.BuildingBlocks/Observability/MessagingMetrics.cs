using System.Diagnostics.Metrics;

namespace OrderSystem.BuildingBlocks.Observability;

/// <summary>
/// The outbox's and the consumers' instruments. Counters and histograms only: recording one costs no I/O. The outbox
/// backlog gauges are measured off the hot path by the service defaults' backlog monitor.
/// </summary>
internal static class MessagingMetrics
{
    private static readonly Meter Meter = Telemetry.Meter;
    private static readonly Counter<long> Published = Meter.CreateCounter<long>("ordersystem.outbox.published", "{message}",
        "Outbox rows the relay published with a broker confirm, by outbox table.");
    private static readonly Counter<long> PublishFailures = Meter.CreateCounter<long>("ordersystem.outbox.publish_failures", "{message}",
        "Outbox rows whose publish failed and will be retried, by outbox table.");
    private static readonly Counter<long> RelayErrors = Meter.CreateCounter<long>("ordersystem.outbox.relay_errors", "{error}",
        "Relay passes that failed as a whole (database or broker unreachable), by outbox table.");
    private static readonly Histogram<double> ConsumeDuration = Meter.CreateHistogram<double>("ordersystem.consume.duration", "s",
        "Time from receiving a message to finishing it, retries included, by module queue, message type and outcome.", advice: Telemetry.Seconds);
    private static readonly Counter<long> ConsumeFailures = Meter.CreateCounter<long>("ordersystem.consume.failures", "{message}",
        "Messages whose consumer failed after all retries (they go to the queue's _error queue), by module queue and message type.");

    public static void OutboxPublished(string table, int published, int failed)
    {
        var tag = new KeyValuePair<string, object?>("outbox", table);
        if (published > 0)
        {
            Published.Add(published, tag);
        }
        if (failed > 0)
        {
            PublishFailures.Add(failed, tag);
        }
    }

    public static void RelayFailed(string table) => RelayErrors.Add(1, new KeyValuePair<string, object?>("outbox", table));

    public static void Consumed(string module, string messageType, bool succeeded, TimeSpan elapsed)
    {
        var moduleTag = new KeyValuePair<string, object?>("module", module);
        var consumerTag = new KeyValuePair<string, object?>("message_type", messageType);
        ConsumeDuration.Record(elapsed.TotalSeconds, moduleTag, consumerTag,
            new KeyValuePair<string, object?>("outcome", succeeded ? "success" : "failure"));
        if (!succeeded)
        {
            ConsumeFailures.Add(1, moduleTag, consumerTag);
        }
    }
}
