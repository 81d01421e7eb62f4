using System.Globalization;
using System.Text;
using OrderSystem.Bench.Expiry;

namespace OrderSystem.Bench.Report;

/// <summary>The expiry scenario's section of the report, with the targets of the expiry issue.</summary>
internal static class ExpiryReport
{
    public static void Render(StringBuilder md, ExpiryRecord e)
    {
        md.AppendLine("## Expiry").AppendLine();
        md.AppendLine(F($"{e.Orders:N0} unpaid orders seeded, {e.Burst:N0} of them due in one second, the rest spread over the window; ordinary payments went on at a fixed rate, and {e.SeededPaid:N0} seeded orders were paid ({e.SeededNearDeadline:N0} of the attempts within ±50 ms of their deadline).")).AppendLine();
        md.AppendLine("| pending unpaid orders | placements/s (c=16) | payment p50 / p99 (c=16) | payments/s |");
        md.AppendLine("|---|---|---|---|");
        foreach (var phase in new[] { e.None, e.Pending })
        {
            md.AppendLine(F($"| {phase.Label} | {phase.PlacedPerSecond:N0} | {phase.Payment.P50:0.0} / {phase.Payment.P99:0.0} ms | {phase.PaidPerSecond:N0} |"));
        }
        md.AppendLine();
        md.AppendLine("| measure | value | target | met |");
        md.AppendLine("|---|---|---|---|");
        md.AppendLine(F($"| closing delay after expiresAt p50 / p99 / max ({e.Closed:N0} closes) | {e.ClosingDelayMs.P50:0} / {e.ClosingDelayMs.P99:0} / {e.ClosingDelayMs.Max:0} ms | p99 ≤ 1,000 ms | {Yes(e.ClosingDelayMs.P99 <= 1000)} |"));
        md.AppendLine(F($"| closes/s in the burst ({e.Burst:N0} in {e.BurstSeconds:0.00} s) | {e.BurstClosesPerSecond:N0} | ≥ 1,000 | {Yes(e.BurstClosesPerSecond >= 1000)} |"));
        md.AppendLine(F($"| ordinary payment p99 during the burst / before it | {e.PaymentInBurst.P99:0.0} / {e.PaymentQuiet.P99:0.0} ms ({e.PaymentInBurst.Count:N0} / {e.PaymentQuiet.Count:N0} payments) | responsive | - |"));
        md.AppendLine(F($"| rows read per close (all Handler_read_* of the server during the window, ordinary payments and relay included) | {e.ReadsPerClose:0.0} | small constant | - |"));
        md.AppendLine(F($"| payment p99 with {e.Pending.Label} / none pending | {e.Pending.Payment.P99:0.0} / {e.None.Payment.P99:0.0} ms | as fast | - |"));
        md.AppendLine(F($"| orders both paid and expired | {e.PaidAndExpired} | 0 | {Yes(e.PaidAndExpired == 0)} |"));
        md.AppendLine();
    }

    private static string Yes(bool met) => met ? "yes" : "**no**";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
