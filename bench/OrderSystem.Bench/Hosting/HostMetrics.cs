using System.Globalization;

namespace OrderSystem.Bench.Hosting;

/// <summary>One scrape of the host's /metrics (Prometheus text): the samples of a series, each line with its value.</summary>
internal sealed class HostMetrics(string text)
{
    public static async Task<HostMetrics> ScrapeAsync(string baseUrl, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(5) };
        return new HostMetrics(await http.GetStringAsync("metrics", ct));
    }

    /// <summary>Every sample line of <paramref name="series"/> (with or without labels) and its value.</summary>
    public IEnumerable<(string Line, double Value)> Samples(string series) =>
        text.Split('\n')
            .Where(line => line.StartsWith(series + "{", StringComparison.Ordinal) || line.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(line => (line, double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)));
}
