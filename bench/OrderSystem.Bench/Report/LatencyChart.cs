using System.Globalization;
using System.Text;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Report;

/// <summary>
/// A percentile plot as a plain SVG: latency (log scale) against percentile, spread so the tail (99%, 99.9%) gets room,
/// one line per run. Hand-written, so the benchmark needs no plotting package.
/// </summary>
internal static class LatencyChart
{
    private const int Width = 900, Height = 520, Left = 70, Right = 250, Top = 40, Bottom = 60;
    private static readonly string[] Colors = ["#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"];
    private static readonly double[] Percentiles = [0, 50, 90, 99, 99.9, 99.99];

    public static string Render(string title, IReadOnlyList<(string Label, LatencyStats Stats)> series)
    {
        var withData = series.Where(s => s.Stats.Count > 0).ToList();
        var min = Math.Max(0.1, withData.Select(s => s.Stats.Sorted[0]).DefaultIfEmpty(0.1).Min());
        var max = Math.Max(min * 10, withData.Select(s => s.Stats.Max).DefaultIfEmpty(1).Max());
        var (logMin, logMax) = (Math.Floor(Math.Log10(min)), Math.Ceiling(Math.Log10(max)));
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(double percentile) => Left + plotWidth * Spread(percentile) / Spread(99.99);
        double Y(double ms) => Top + plotHeight * (1 - (Math.Log10(Math.Max(ms, min)) - logMin) / (logMax - logMin));

        var svg = new StringBuilder();
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(F($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(F($"<text x=\"{Left}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>\n"));
        for (var decade = logMin; decade <= logMax; decade++)
        {
            var y = Top + plotHeight * (1 - (decade - logMin) / (logMax - logMin));
            svg.Append(F($"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>\n"));
            svg.Append(F($"<text x=\"{Left - 8}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{FormatMs(Math.Pow(10, decade))}</text>\n"));
        }
        foreach (var p in Percentiles)
        {
            var x = X(p);
            svg.Append(F($"<line x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{Top + plotHeight}\" stroke=\"#ddd\"/>\n"));
            svg.Append(F($"<text x=\"{x:0.#}\" y=\"{Top + plotHeight + 18}\" text-anchor=\"middle\">{p}%</text>\n"));
        }
        svg.Append(F($"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 15}\" text-anchor=\"middle\">percentile of payments</text>\n"));
        svg.Append(F($"<text transform=\"translate(18,{Top + plotHeight / 2}) rotate(-90)\" text-anchor=\"middle\">payment latency (ms, log scale)</text>\n"));
        svg.Append(F($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#333\"/>\n"));

        for (var i = 0; i < withData.Count; i++)
        {
            var (label, stats) = withData[i];
            var color = Colors[i % Colors.Length];
            var points = new StringBuilder();
            // 400 points spaced along the spread axis, so the tail is drawn as finely as the body.
            for (var k = 0; k <= 400; k++)
            {
                var percentile = Unspread(Spread(99.99) * k / 400);
                points.Append(F($"{X(percentile):0.#},{Y(stats.At(percentile / 100)):0.#} "));
            }
            svg.Append(F($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>\n"));
            var legendY = Top + 10 + i * 20;
            svg.Append(F($"<line x1=\"{Width - Right + 15}\" y1=\"{legendY}\" x2=\"{Width - Right + 40}\" y2=\"{legendY}\" stroke=\"{color}\" stroke-width=\"3\"/>\n"));
            svg.Append(F($"<text x=\"{Width - Right + 46}\" y=\"{legendY + 4}\">{Escape(label)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    // x = log10(1 / (1 - p)): 0% at 0, 90% at 1, 99% at 2, 99.9% at 3.
    private static double Spread(double percentile) => Math.Log10(1 / (1 - Math.Min(percentile, 99.99) / 100));

    private static double Unspread(double x) => 100 * (1 - Math.Pow(10, -x));

    private static string FormatMs(double ms) => ms >= 1000 ? F($"{ms / 1000:0.#} s") : F($"{ms:0.###} ms");

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
