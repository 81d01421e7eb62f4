using System.Globalization;

namespace OrderSystem.Bench.FlashSale;

/// <summary>
/// The host's own histogram of paid callbacks (ordersystem_payment_duration_seconds) between two scrapes: how long the host
/// took in the payment handler, from the endpoint's start to its answer (not the connection and queueing before it), to
/// the histogram's bucket bounds.
/// </summary>
internal sealed record HostPaymentHistogram(IReadOnlyDictionary<double, long> AtMostSeconds)
{
    private const string Prefix = "ordersystem_payment_duration_seconds_bucket{";

    public long Count => AtMostSeconds.GetValueOrDefault(double.PositiveInfinity);

    /// <summary>The smallest bucket bound, in ms, under which 99% of the payments were answered.</summary>
    public double P99BoundMs => Count == 0 ? double.NaN : AtMostSeconds.Where(b => b.Value >= 0.99 * Count).Min(b => b.Key) * 1000;

    public long OverMs(double ms) => Count - AtMostSeconds.GetValueOrDefault(ms / 1000);

    public HostPaymentHistogram Minus(HostPaymentHistogram earlier) =>
        new(AtMostSeconds.ToDictionary(b => b.Key, b => b.Value - earlier.AtMostSeconds.GetValueOrDefault(b.Key)));

    public static async Task<HostPaymentHistogram> ReadAsync(string baseUrl, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var buckets = new Dictionary<double, long>();
        foreach (var line in (await http.GetStringAsync("metrics", ct)).Split('\n'))
        {
            if (!line.StartsWith(Prefix, StringComparison.Ordinal) || !line.Contains("outcome=\"paid\"", StringComparison.Ordinal))
            {
                continue;
            }
            var le = line[(line.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
            le = le[..le.IndexOf('"', StringComparison.Ordinal)];
            buckets[le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture)] =
                long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return new HostPaymentHistogram(buckets);
    }
}
