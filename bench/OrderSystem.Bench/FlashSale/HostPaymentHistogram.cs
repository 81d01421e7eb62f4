using System.Globalization;
using OrderSystem.Bench.Hosting;

namespace OrderSystem.Bench.FlashSale;

/// <summary>
/// The host's own histogram of paid callbacks (ordersystem_payment_duration_seconds) between two scrapes: how long the host
/// took in the payment handler, from the endpoint's start to its answer (not the connection and queueing before it), to
/// the histogram's bucket bounds.
/// </summary>
internal sealed record HostPaymentHistogram(IReadOnlyDictionary<double, long> AtMostSeconds)
{
    private const string Series = "ordersystem_payment_duration_seconds_bucket";

    public long Count => AtMostSeconds.GetValueOrDefault(double.PositiveInfinity);

    /// <summary>The smallest bucket bound, in ms, under which 99% of the payments were answered.</summary>
    public double P99BoundMs => Count == 0 ? double.NaN : AtMostSeconds.Where(b => b.Value >= 0.99 * Count).Min(b => b.Key) * 1000;

    public long OverMs(double ms) => Count - AtMostSeconds.GetValueOrDefault(ms / 1000);

    public HostPaymentHistogram Minus(HostPaymentHistogram earlier) =>
        new(AtMostSeconds.ToDictionary(b => b.Key, b => b.Value - earlier.AtMostSeconds.GetValueOrDefault(b.Key)));

    public static async Task<HostPaymentHistogram> ReadAsync(string baseUrl, CancellationToken ct)
    {
        var buckets = new Dictionary<double, long>();
        foreach (var (line, count) in (await HostMetrics.ScrapeAsync(baseUrl, ct)).Samples(Series).Where(s => s.Line.Contains("outcome=\"paid\"", StringComparison.Ordinal)))
        {
            var le = line[(line.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
            le = le[..le.IndexOf('"', StringComparison.Ordinal)];
            buckets[le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture)] = (long)count;
        }
        return new HostPaymentHistogram(buckets);
    }
}
