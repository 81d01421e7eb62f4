using System.Diagnostics.Metrics;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.FlashSales;

/// <summary>Admissions by outcome, and orders written from tickets.</summary>
internal static class FlashSaleMetrics
{
    private static readonly Counter<long> Admissions = Telemetry.Meter.CreateCounter<long>("ordersystem.flashsales.admissions", "{request}",
        "Flash sale admission requests answered, by outcome (admitted, sold-out, limit-reached, ...) and by who decided (the store; or the host: shed, or a sale it remembers sold out).");

    private static readonly Counter<long> Written = Telemetry.Meter.CreateCounter<long>("ordersystem.flashsales.tickets.written", "{ticket}",
        "Tickets the order writer wrote, by status (Ordered or Rejected).");

    public static void Admission(string outcome, bool byHost) => Admissions.Add(1,
        new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("decided_by", byHost ? "host" : "store"));

    public static void TicketsWritten(int count, string status) =>
        Written.Add(count, new KeyValuePair<string, object?>("status", status));
}
