using System.Globalization;
using System.Text;
using OrderSystem.Bench.Feed;

namespace OrderSystem.Bench.Report;

/// <summary>The feed scenario's section of the report, with the targets of the feed issue.</summary>
internal static class FeedReport
{
    public static void Render(StringBuilder md, FeedRecord f)
    {
        md.AppendLine("## Order feed").AppendLine();
        md.AppendLine("| measure | value | target | met |");
        md.AppendLine("|---|---|---|---|");
        foreach (var (pair, round) in f.Pairs.Select((p, i) => (p, i + 1)))
        {
            md.AppendLine(F($"| round {round}: payments/s at c=64, feed on / off (costs zero); p50 / p99 on vs off | {pair.On.Load.PerSecond:N0} / {pair.Off.Load.PerSecond:N0} = {pair.Ratio:0.00}; {pair.On.Load.Latency.P50:0.0} / {pair.On.Load.Latency.P99:0.0} ms vs {pair.Off.Load.Latency.P50:0.0} / {pair.Off.Load.Latency.P99:0.0} ms | - | - |"));
        }
        md.AppendLine(F($"| payments/s feed on ÷ off, median of {f.Pairs.Count} pair(s) (all pooled: {f.PooledRatio:0.00}) | {f.Ratio:0.00} | ≥ 0.90 | {Yes(f.Ratio >= 0.9)} |"));
        md.AppendLine(F($"| order changes/s reached (asked {f.Lag.TargetChangesPerSecond:N0}; {f.Lag.PaymentsPerSecond:N0} payments/s) | {f.Lag.ChangesPerSecond:N0} | 1,000 | {Yes(f.Lag.ChangesPerSecond >= 0.95 * f.Lag.TargetChangesPerSecond)} |"));
        md.AppendLine(F($"| commit-to-stream lag p50 / p99 / max ({f.Lag.Latency.Count:N0} events) | {f.Lag.Latency.P50:N0} / {f.Lag.Latency.P99:N0} / {f.Lag.Latency.Max:N0} ms | p99 ≤ 1,000 ms | {Yes(f.Lag.Latency.P99 <= 1000)} |"));
        md.AppendLine();
    }

    private static string Yes(bool met) => met ? "yes" : "**no**";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
