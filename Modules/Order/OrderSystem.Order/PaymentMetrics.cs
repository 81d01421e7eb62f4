using System.Diagnostics.Metrics;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.Order;

/// <summary>Payment callbacks by outcome and how long they took. Recording costs no I/O, so the payment path stays cheap.</summary>
internal static class PaymentMetrics
{
    private static readonly Counter<long> Payments = Telemetry.Meter.CreateCounter<long>("ordersystem.payments", "{payment}",
        "Payment callbacks answered, by outcome (paid, or the problem type of the refusal).");

    private static readonly Histogram<double> PaymentDuration = Telemetry.Meter.CreateHistogram<double>("ordersystem.payment.duration", "s",
        "Time to answer a payment callback, by outcome.", advice: Telemetry.FastSeconds);

    public static void Answered(string outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        Payments.Add(1, tag);
        PaymentDuration.Record(elapsed.TotalSeconds, tag);
    }
}
