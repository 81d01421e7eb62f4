using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrderSystem.Bench.Capacity;

/// <summary>
/// RabbitMQ's message counters for the benchmark's virtual host (publishes, deliveries, acks), from the management API.
/// The broker refreshes them every ~5 s, so a reading is taken once two in a row agree, after the work is done.
/// </summary>
internal sealed record BrokerCounters(long Published, long Delivered, long Acked)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5.5);

    public BrokerCounters Minus(BrokerCounters before) =>
        new(Published - before.Published, Delivered - before.Delivered, Acked - before.Acked);

    /// <summary>The counters once they stop moving (at most a minute of waiting).</summary>
    public static async Task<BrokerCounters> ReadSettledAsync(BenchOptions options, CancellationToken ct)
    {
        var last = await ReadAsync(options, ct);
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(RefreshInterval, ct); // the broker's statistics interval: nothing to poll sooner
            var now = await ReadAsync(options, ct);
            if (now == last)
            {
                return now;
            }
            last = now;
        }
        return last;
    }

    private static async Task<BrokerCounters> ReadAsync(BenchOptions options, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(options.RabbitManagementUrl.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.RabbitUser}:{options.RabbitPassword}")));
        using var vhost = JsonDocument.Parse(await http.GetStringAsync($"api/vhosts/{Uri.EscapeDataString(options.VirtualHost)}", ct));
        if (!vhost.RootElement.TryGetProperty("message_stats", out var stats))
        {
            return new BrokerCounters(0, 0, 0);
        }
        long Count(string name) => stats.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
        return new BrokerCounters(Count("publish"), Count("deliver_get"), Count("ack"));
    }
}
