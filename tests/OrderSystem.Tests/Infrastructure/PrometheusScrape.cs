using System.Globalization;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>One read of /metrics in the Prometheus text format, to compare values before and after.</summary>
internal sealed class PrometheusScrape(string text)
{
    public static async Task<PrometheusScrape> ReadAsync(Api api) => new((await api.GetAsync("/metrics")).Body);

    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string metric, params (string Name, string Value)[] labels) =>
        text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    public bool Has(string metric, params (string Name, string Value)[] labels) =>
        text.Split('\n').Any(line => line.StartsWith(metric + "{", StringComparison.Ordinal) &&
                                     labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)));

    public override string ToString() => text.Length > 2000 ? text[..2000] + "..." : text;
}
