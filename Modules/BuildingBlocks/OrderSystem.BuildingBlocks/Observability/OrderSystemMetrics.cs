using System.Diagnostics.Metrics;

namespace OrderSystem.BuildingBlocks.Observability;

/// <summary>
/// OrderSystem's own instruments. Counters and histograms only: recording one costs no I/O, so the payment path stays
/// cheap. The outbox backlog gauges live in <see cref="OutboxBacklogMonitor"/>, which measures off the hot path.
/// </summary>
public sealed class OrderSystemMetrics
{
    // One meter per process, as libraries do: a meter from the host's IMeterFactory dies with its host, and in the
    // tests a second in-process host stopping took the first host's series with it.
    internal static readonly Meter Meter = new(Telemetry.Name);

    // In seconds, from 5 ms to 10 s: the SDK's default buckets are made for milliseconds.
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    };

    private static readonly Counter<long> Payments = Meter.CreateCounter<long>("ordersystem.payments", "{payment}",
        "Payment callbacks answered, by outcome (paid, or the problem type of the refusal).");
    private static readonly Histogram<double> PaymentDuration = Meter.CreateHistogram<double>("ordersystem.payment.duration", "s",
        "Time to answer a payment callback, by outcome.", advice: Seconds);
    private static readonly Counter<long> Published = Meter.CreateCounter<long>("ordersystem.outbox.published", "{message}",
        "Outbox rows the relay published with a broker confirm, by outbox table.");
    private static readonly Counter<long> PublishFailures = Meter.CreateCounter<long>("ordersystem.outbox.publish_failures", "{message}",
        "Outbox rows whose publish failed and will be retried, by outbox table.");
    private static readonly Counter<long> RelayErrors = Meter.CreateCounter<long>("ordersystem.outbox.relay_errors", "{error}",
        "Relay passes that failed as a whole (database or broker unreachable), by outbox table.");
    private static readonly Histogram<double> ConsumeDuration = Meter.CreateHistogram<double>("ordersystem.consume.duration", "s",
        "Time from receiving a message to finishing it, retries included, by module queue, message type and outcome.", advice: Seconds);
    private static readonly Counter<long> ConsumeFailures = Meter.CreateCounter<long>("ordersystem.consume.failures", "{message}",
        "Messages whose consumer failed after all retries (they go to the queue's _error queue), by module queue and message type.");

    public void PaymentAnswered(string outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        Payments.Add(1, tag);
        PaymentDuration.Record(elapsed.TotalSeconds, tag);
    }

    internal void OutboxPublished(string table, int published, int failed)
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

    internal void RelayFailed(string table) => RelayErrors.Add(1, new KeyValuePair<string, object?>("outbox", table));

    internal void Consumed(string module, string messageType, bool succeeded, TimeSpan elapsed)
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
