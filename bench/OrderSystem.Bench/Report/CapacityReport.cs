using System.Globalization;
using System.Text;
using OrderSystem.Bench.Capacity;

namespace OrderSystem.Bench.Report;

/// <summary>The capacity scenario's section of the report, with the targets of the capacity issue.</summary>
internal static class CapacityReport
{
    public static void Render(StringBuilder md, CapacityRecord c)
    {
        md.AppendLine("## Sustained capacity").AppendLine();
        md.AppendLine(F($"Open-loop payments, costs zero, each rate after the previous backlog drained; the bare transaction measured in this sitting: **{c.BarePerSecond:N0} tx/s**, {c.BareCpuMsPerTransaction:0.00} ms CPU per transaction (benchmark process + MariaDB)."));
        md.AppendLine("Lag is paid_at → the last of the four steps Done (order_fulfillment), per 5-second window of paid_at; a window with an unfulfilled payment counts as ∞.").AppendLine();
        md.AppendLine("| offered | ÷ bare | achieved | payment p50 / p99 | lag p50 / p99 | worst window p99 | drained after | steady? |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var s in c.Steps)
        {
            md.AppendLine(F($"| {s.OfferedPerSecond:N0}/s | {s.Fraction:0.00#} | {s.AchievedPerSecond:N0}/s{(s.Failed > 0 ? F($" ({s.Failed} failed)") : "")} | {s.Payment.P50:0.0} / {s.Payment.P99:0.0} ms | {s.Lag.P50:N0} / {s.Lag.P99:N0} ms | {CapacityScenario.WorstWindowP99(s):N0} ms | {(double.IsNaN(s.DrainSeconds) ? "not drained" : F($"{s.DrainSeconds:0.0} s"))} | {(s.IsSteady ? "yes" : "**no**")} |"));
        }
        md.AppendLine();
        md.AppendLine("Lag p99 by 5-second window (ms):").AppendLine();
        foreach (var s in c.Steps)
        {
            md.AppendLine(F($"- {s.OfferedPerSecond:N0}/s ({s.Fraction:0.00#} × bare): ") + string.Join(", ", s.Windows.Select(w => w.Unfulfilled > 0 ? F($"∞ ({w.Unfulfilled} open)") : F($"{w.Lag.P99:N0}"))));
        }
        md.AppendLine();
        md.AppendLine("Cost per payment (CPU from each process's own counters, from the start of the rate until its backlog and the feed had caught up):").AppendLine();
        md.AppendLine("| offered | host | mariadbd | beam | load generator | product total | ÷ bare | simulator | statements | commits | broker publish / deliver / ack |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in c.Steps)
        {
            md.AppendLine(F($"| {s.OfferedPerSecond:N0}/s | {s.CpuMsPerPayment(ProcessCpu.Host):0.00} ms | {s.CpuMsPerPayment(ProcessCpu.Database):0.00} ms | {s.CpuMsPerPayment(ProcessCpu.Broker):0.00} ms | {s.CpuMsPerPayment(ProcessCpu.LoadGenerator):0.00} ms | {s.ProductCpuMsPerPayment:0.00} ms | {s.ProductCpuMsPerPayment / c.BareCpuMsPerTransaction:0.0} | {s.CpuMsPerPayment(ProcessCpu.Simulator):0.00} ms | {s.PerPayment(s.Db.Statements):0.0} | {s.PerPayment(s.Db.Commits):0.00} | {s.PerPayment(s.Broker.Published):0.00} / {s.PerPayment(s.Broker.Delivered):0.00} / {s.PerPayment(s.Broker.Acked):0.00} |"));
        }
        md.AppendLine();
        var sustained = c.Sustained;
        var cpu = sustained?.ProductCpuMsPerPayment / c.BareCpuMsPerTransaction;
        md.AppendLine("| target | value | met |");
        md.AppendLine("|---|---|---|");
        md.AppendLine(F($"| sustained capacity ≥ 0.30 × bare | {(sustained is null ? "none steady" : F($"{sustained.OfferedPerSecond:N0}/s = {c.SustainedRatio:0.00} × bare"))} | {Yes(c.SustainedRatio >= 0.30)} |"));
        md.AppendLine(F($"| CPU per fully fulfilled payment ≤ 5 × bare (at the sustained rate) | {(cpu is { } r ? F($"{sustained!.ProductCpuMsPerPayment:0.00} ms = {r:0.0} × bare") : "-")} | {Yes(cpu is <= 5)} |"));
        md.AppendLine();
    }

    private static string Yes(bool met) => met ? "yes" : "**no**";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
