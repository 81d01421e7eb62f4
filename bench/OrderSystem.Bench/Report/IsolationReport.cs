using System.Globalization;
using System.Text;
using OrderSystem.Bench.Isolation;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Report;

/// <summary>The isolation scenario's section of the report, with the targets of issue 13.</summary>
internal static class IsolationReport
{
    public static void Render(StringBuilder md, IsolationRecord r)
    {
        md.AppendLine("## Isolation: logistics hanging").AppendLine();
        md.AppendLine(F($"Payments at {r.Rate:N0}/s (open loop) with {r.Costs}: {r.PhaseSeconds:0} s before, {r.PhaseSeconds:0} s with logistics hanging (the simulator's `hang`: calls are accepted and never answered), {r.PhaseSeconds:0} s after; first a {r.WarmupSeconds:0} s warm-up at the same rate whose work was drained. A payment belongs to the phase it started in; a step's lag is from the order's `paid_at` to the step's Done time in `order_fulfillment`, both the host's clock.")).AppendLine();
        md.AppendLine("| phase | payments | errors | payment p50 / p99 ms | points lag p50 / p99 ms | coupon lag p50 / p99 ms | SMS lag p50 / p99 ms | shipment lag p50 / p99 ms |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var p in r.Phases)
        {
            md.AppendLine(F($"| {p.Name} | {p.Payments:N0} | {p.Errors:N0} | {Pair(p.Payment, p.Payments)} | {Pair(p.Points, p.Payments)} | {Pair(p.Coupon, p.Payments)} | {Pair(p.Sms, p.Payments)} | {Pair(p.Shipment, p.Payments)} |"));
        }
        md.AppendLine();
        md.AppendLine("| measure | value | target | met |");
        md.AppendLine("|---|---|---|---|");
        md.AppendLine(F($"| payment p99, logistics hanging ÷ before | {r.PaymentP99Ratio:0.00} ({r.During.Payment.P99:0.0} / {r.Before.Payment.P99:0.0} ms) | ≤ 1.2 | {Yes(r.PaymentP99Ratio <= 1.2)} |"));
        md.AppendLine(F($"| points lag p99, logistics hanging ÷ before | {r.PointsLagP99Ratio:0.00} ({r.During.Points.P99:0.0} / {r.Before.Points.P99:0.0} ms) | ≤ 1.2 | {Yes(r.PointsLagP99Ratio <= 1.2)} |"));
        md.AppendLine(F($"| for reference, against the phase after the hang (which carries the backlog's drain): payment p99 ÷, points lag p99 ÷ | {r.PaymentP99RatioToAfter:0.00}, {r.PointsLagP99RatioToAfter:0.00} | - | - |"));
        var drain = r.Drain.Took is { } took
            ? F($"{took.TotalSeconds:0.0} s ({r.Drain.Paid:N0} orders)")
            : F($"**not drained** within {IsolationScenario.DrainCap.TotalSeconds:0} s: {r.Drain.Shipped:N0} of {r.Drain.Paid:N0} shipped");
        md.AppendLine(F($"| drain: from the end of the hang until every order paid by then is shipped | {drain} | ≤ 60 s | {Yes(r.Drain.Took is { } t && t.TotalSeconds <= 60)} |"));
        var l = r.Ledger;
        var checkedOrders = l.Sampled ? F($"a sample of {l.Checked:N0} of {l.Orders:N0} orders, spread over the phases") : F($"all {l.Checked:N0} orders");
        md.AppendLine(F($"| waybills in logistics' ledger per paid order ({checkedOrders}) | exactly one: {l.ExactlyOne:N0}; none: {l.None:N0}; more than one: {l.MoreThanOne:N0} | exactly one each | {Yes(l.Checked > 0 && l.ExactlyOne == l.Checked)} |"));
        md.AppendLine(F($"| messages in `warehouse_error` | {(r.WarehouseErrors is { } n ? F($"{n:N0}") : "unknown (see below)")} | 0 | {Yes(r.WarehouseErrors == 0)} |"));
        md.AppendLine();
        var others = r.ErrorQueues?.Where(q => q.Key != IsolationRecord.WarehouseErrorQueue && q.Value > 0).Select(q => F($"`{q.Key}` {q.Value:N0}")).ToList();
        md.AppendLine(F($"- Other error queues with messages: {(others is null ? "unknown" : others.Count == 0 ? "none" : string.Join(", ", others))}."));
        md.AppendLine(F($"- The simulator's settings at the end of the after phase (it is shared; the benchmark set only the costs above and the hang): {r.SimulatorAtEnd}"));
        r.Notes.ToList().ForEach(n => md.AppendLine("- " + n));
        md.AppendLine();
    }

    /// <summary>p50 / p99, with how many had a value when some of the phase's orders had none (a step not Done).</summary>
    private static string Pair(LatencyStats s, int expected) => s.Count == 0
        ? "-"
        : F($"{s.P50:0.0} / {s.P99:0.0}") + (s.Count < expected ? F($" (of {s.Count:N0} done)") : "");

    private static string Yes(bool met) => met ? "yes" : "**no**";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
