using System.Globalization;
using System.Text;

namespace OrderSystem.Bench.Report;

/// <summary>The peak-shaving pair of issue 17: a closed-loop burst with the fulfilling consumers yielding and without.</summary>
internal static class PeakShavingReport
{
    public const string Off = "burst-yield-off";
    public const string On = "burst-yield-on";

    public static void Render(StringBuilder md, RunRecord off, RunRecord on)
    {
        md.AppendLine("## Peak shaving").AppendLine();
        md.AppendLine("A burst of 64 buyers in a closed loop (costs zero), with `Fulfillment:YieldUnderPressure` off and on. The lag is how far fulfillment fell behind; every payment must still be fulfilled after the burst.").AppendLine();
        md.AppendLine("| run | payments/s | payment p50 / p99 | paid / fulfilled | lag p50 / p99 / max | host CPU | MariaDB CPU |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in new[] { off, on })
        {
            md.AppendLine(F($"| {r.Name} | {r.Load.PerSecond:N0} | {r.Load.Latency.P50:0.0} / {r.Load.Latency.P99:0.0} ms | {r.Lag?.Paid:N0} / {r.Lag?.Fulfilled:N0} | {r.Lag?.Lag.P50:N0} / {r.Lag?.Lag.P99:N0} / {r.Lag?.Lag.Max:N0} ms | {r.Usage.CpuPercent:0}% | {r.Usage.DatabaseCpuPercent:0}% |"));
        }
        md.AppendLine();
        md.AppendLine(F($"Payments/s with yielding ÷ without: **{on.Load.PerSecond / off.Load.PerSecond:0.00}**.")).AppendLine();
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
