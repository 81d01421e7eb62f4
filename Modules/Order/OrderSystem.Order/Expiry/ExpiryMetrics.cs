using System.Diagnostics.Metrics;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.Order.Expiry;

/// <summary>Orders the closer expired, and how late after their deadline.</summary>
internal static class ExpiryMetrics
{
    private static readonly Counter<long> Expired = Telemetry.Meter.CreateCounter<long>("ordersystem.orders.expired", "{order}",
        "Unpaid orders closed as Expired by the closer.");

    private static readonly Histogram<double> Delay = Telemetry.Meter.CreateHistogram<double>("ordersystem.expiry.delay", "s",
        "Time from an order's expiresAt to its closing.", advice: Telemetry.Seconds);

    public static void Closed(DateTime now, IReadOnlyList<DateTime> deadlines)
    {
        Expired.Add(deadlines.Count);
        foreach (var deadline in deadlines)
        {
            Delay.Record(Math.Max(0, (now - deadline).TotalSeconds));
        }
    }
}
