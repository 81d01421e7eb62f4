using System.Globalization;
using System.Text;
using OrderSystem.Bench.FlashSale;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Report;

/// <summary>The flash-sale scenario's section of the report, with the targets of issue 17.</summary>
internal static class FlashSaleReport
{
    public static void Render(StringBuilder md, IReadOnlyList<FlashSaleRecord> waves)
    {
        md.AppendLine("## Flash sale").AppendLine();
        if (waves.Count > 0 && waves[0].OfferedRate is not null)
        {
            md.AppendLine(F($"Open-loop waves of {waves[0].WaveSeconds:0} s from {waves[0].Users:N0} users for {waves[0].Units:N0} units each (a fresh sale per wave), beside ordinary payments at a fixed rate; each wave's quiet phase right before it. Latency counts from each request's scheduled send time. The host's CPU per wave request: all its CPU in the wave, and what is beyond its quiet rate.")).AppendLine();
            md.AppendLine("| offered / sent per s | admission p50 / p99 / max ms | 202 / 409 / 429 / other | payment p50 wave / quiet ms | payment p99 wave / quiet ms | ratio (≤ 1.5) | payment p99 while selling / after ms | host CPU quiet / wave (% of a core) | host CPU ms per wave request, all / beyond quiet | load generator CPU in the wave |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var f in waves)
            {
                md.AppendLine(F($"| {f.OfferedRate:N0} / {f.Requests / f.SendingSeconds:N0} | {f.Admission.P50:0.0} / {f.Admission.P99:0.0} / {f.Admission.Max:0} {(f.Admission.P99 <= 50 ? "" : "(**> 50**)")} | {Share(f.Accepted, f.Requests)} / {Share(f.Conflicts, f.Requests)} / {Share(f.Shed, f.Requests)} / {Share(f.Other, f.Requests)} | {f.PaymentInWave.P50:0.0} / {f.PaymentQuiet.P50:0.0} | {f.PaymentInWave.P99:0.0} / {f.PaymentQuiet.P99:0.0} | {f.PaymentP99Ratio:0.00} {Yes(f.PaymentP99Ratio <= 1.5)} | {f.PaymentWhileSelling.P99:0.0} / {f.PaymentAfterSelling.P99:0.0} | {f.QuietCpu.HostPercent:0} / {f.WaveCpu.HostPercent:0} | {f.HostCpuMsPerRequestGross:0.000} / {f.HostCpuMsPerRequest:0.000} | {f.WaveCpu.LoadGeneratorPercent:0}% |"));
            }
            md.AppendLine();
            RenderPooled(md, waves);
        }
        foreach (var f in waves)
        {
            Render(md, f);
        }
    }

    /// <summary>
    /// A wave's p99 of ~500 payments is its fifth-worst, and the tail gathers in the few seconds while the sale's orders are
    /// written, so single waves scatter (2× in one run, 6× in the next: performance.md, finding 28). With a rate repeated
    /// (--flash-rates 2000,2000,2000) its waves' payments are also pooled: one p99 over all of them, quiet against wave.
    /// </summary>
    private static void RenderPooled(StringBuilder md, IReadOnlyList<FlashSaleRecord> waves)
    {
        var repeated = waves.GroupBy(w => w.OfferedRate).Where(g => g.Count() > 1).ToList();
        if (repeated.Count == 0)
        {
            return;
        }
        md.AppendLine("Repeated rates, every wave's payments pooled (the quiet phases' against the waves'):").AppendLine();
        md.AppendLine("| offered per s | waves | payments quiet / wave | payment p99 wave / quiet ms | ratio (≤ 1.5) | per-wave ratios | admission p99 ms, pooled | the machine's steal time, highest phase |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var rate in repeated)
        {
            var quiet = LatencyStats.Of(rate.SelectMany(w => w.PaymentQuiet.Sorted));
            var wave = LatencyStats.Of(rate.SelectMany(w => w.PaymentInWave.Sorted));
            var admission = LatencyStats.Of(rate.SelectMany(w => w.Admission.Sorted));
            var ratio = wave.P99 / quiet.P99;
            md.AppendLine(F($"| {rate.Key:N0} | {rate.Count()} | {quiet.Count:N0} / {wave.Count:N0} | {wave.P99:0.0} / {quiet.P99:0.0} | {ratio:0.00} {Yes(ratio <= 1.5)} | {string.Join(", ", rate.Select(w => w.PaymentP99Ratio.ToString("0.00", CultureInfo.InvariantCulture)))} | {admission.P99:0.0} | {rate.Max(w => Math.Max(w.QuietCpu.StealPercent, w.WaveCpu.StealPercent)):0.0}% |"));
        }
        md.AppendLine();
        RenderSlowBySecond(md, repeated);
    }

    /// <summary>
    /// When in the wave the payments over the target fall (over 1.5× the pooled quiet p99): by quarter second through the
    /// first two seconds, where the sale admits, sells out and starts writing, then by second.
    /// </summary>
    private static void RenderSlowBySecond(StringBuilder md, IReadOnlyList<IGrouping<double?, FlashSaleRecord>> repeated)
    {
        var seconds = (int)Math.Ceiling(repeated.Max(r => r.Max(w => w.WaveSeconds)));
        var bounds = Enumerable.Range(0, 8).Select(q => q / 4.0).Concat(Enumerable.Range(2, Math.Max(0, seconds - 1)).Select(s => (double)s)).ToList();
        var buckets = bounds.Zip(bounds.Skip(1)).ToList();
        md.AppendLine("Pooled wave payments over 1.5× the pooled quiet p99, by when in the wave they were due (seconds from its start):").AppendLine();
        md.AppendLine("| offered per s | over / payments | " + string.Join(" | ", buckets.Select(b => F($"{b.First:0.##}-{b.Second:0.##}"))) + " | sold out at | writing ended |");
        md.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", buckets.Count)) + "---|---|");
        foreach (var rate in repeated)
        {
            var limit = 1.5 * LatencyStats.Of(rate.SelectMany(w => w.PaymentQuiet.Sorted)).P99;
            var payments = rate.SelectMany(w => w.WavePayments).ToList();
            var slow = payments.Where(p => p.Ms > limit).ToList();
            var counts = buckets.Select(b => slow.Count(p => p.At >= b.First && p.At < b.Second));
            md.AppendLine(F($"| {rate.Key:N0} | {slow.Count} / {payments.Count} | {string.Join(" | ", counts)} | {Seconds(rate.Select(w => w.SoldOutSeconds))} | {Seconds(rate.Select(w => (double?)w.AllWrittenSeconds))} |"));
        }
        md.AppendLine();
    }

    private static string Seconds(IEnumerable<double?> values) =>
        string.Join(", ", values.Select(v => v is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "-")) + " s";

    private static void Render(StringBuilder md, FlashSaleRecord f)
    {
        md.AppendLine(f.OfferedRate is { } rate
            ? F($"### Wave at {rate:N0} requests/s: {f.Requests:N0} requests, sent in {f.SendingSeconds:0.0} s ({f.Requests / f.SendingSeconds:N0}/s)")
            : F($"### Wave of {f.Requests:N0} admission requests in {f.WaveSeconds:0} s ({f.Requests / f.WaveSeconds:N0}/s, a closed loop: as fast as the load generator sent them)")).AppendLine();
        md.AppendLine("| measure | value | target | met |");
        md.AppendLine("|---|---|---|---|");
        md.AppendLine(F($"| admission p50 / p99 / max | {f.Admission.P50:0.0} / {f.Admission.P99:0.0} / {f.Admission.Max:0} ms | p99 ≤ 50 ms | {Yes(f.Admission.P99 <= 50)} |"));
        md.AppendLine(F($"| answers 202 / 409 / 429 / other | {Share(f.Accepted, f.Requests)} / {Share(f.Conflicts, f.Requests)} / {Share(f.Shed, f.Requests)} / {Share(f.Other, f.Requests)} | - | - |"));
        md.AppendLine(F($"| tickets (202) / units | {f.Accepted:N0} / {f.Units:N0} | equal, no oversell | {Yes(f.Accepted == f.Units)} |"));
        md.AppendLine(F($"| units sold once every flash order is paid ({f.FlashOrdersPaid:N0} paid) | {f.UnitsSold:N0} | = units | {Yes(f.UnitsSold == f.Units)} |"));
        md.AppendLine(F($"| orders written per second, highest second / cap | {f.MaxOrdersWrittenPerSecond:N0} / {f.WriteCap:N0} | ≤ cap | {Yes(f.MaxOrdersWrittenPerSecond <= f.WriteCap)} |"));
        md.AppendLine(F($"| database commits/s during the wave, p50 / max (the whole server) | {f.CommitsPerSecond.P50:N0} / {f.CommitsPerSecond.Max:N0} | - | - |"));
        md.AppendLine(F($"| ordinary payment p50 in the wave / quiet | {f.PaymentInWave.P50:0.0} / {f.PaymentQuiet.P50:0.0} ms | - | - |"));
        md.AppendLine(F($"| ordinary payment p99 in the wave / quiet | {f.PaymentInWave.P99:0.0} / {f.PaymentQuiet.P99:0.0} ms ({f.PaymentInWave.Count:N0} / {f.PaymentQuiet.Count:N0} payments) | ≤ 1.5× | {Yes(f.PaymentP99Ratio <= 1.5)} |"));
        md.AppendLine(F($"| the same payments as the host's payment handler timed them (its histogram): p99 within, wave / quiet; over 25 ms / over 50 ms in the wave | ≤ {f.HostWave.P99BoundMs:0} / ≤ {f.HostQuiet.P99BoundMs:0} ms; {f.HostWave.OverMs(25)} / {f.HostWave.OverMs(50)} of {f.HostWave.Count} | - | - |"));
        md.AppendLine(F($"| ordinary payment p99 in the wave while the sale sold and its orders were written / after ({f.AllWrittenSeconds:0.0} s) | {f.PaymentWhileSelling.P99:0.0} / {f.PaymentAfterSelling.P99:0.0} ms ({f.PaymentWhileSelling.Count:N0} / {f.PaymentAfterSelling.Count:N0} payments) | - | - |"));
        md.AppendLine(F($"| host CPU quiet / in the wave; per wave request, all / beyond quiet | {f.QuietCpu.HostPercent:0} / {f.WaveCpu.HostPercent:0}% of a core; {f.HostCpuMsPerRequestGross:0.000} / {f.HostCpuMsPerRequest:0.000} ms | - | - |"));
        md.AppendLine(F($"| time from the wave's start until every ticket is Ordered | {f.AllWrittenSeconds:0.0} s | - | - |"));
        md.AppendLine(F($"| the machine's steal time quiet / in the wave (the hypervisor's, % of all CPU time; performance.md, finding 44) | {f.QuietCpu.StealPercent:0.0} / {f.WaveCpu.StealPercent:0.0}% | - | - |"));
        md.AppendLine();
    }

    private static string Share(int part, int whole) => whole == 0 ? "-" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Yes(bool met) => met ? "yes" : "**no**";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
