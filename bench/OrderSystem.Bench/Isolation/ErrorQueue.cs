using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrderSystem.Bench.Isolation;

/// <summary>The modules' error queues in the bench's virtual host, from RabbitMQ's management API (its figures lag up to ~5 s).</summary>
internal static class ErrorQueue
{
    /// <summary>Messages (ready and unacknowledged) per `_error` queue; a queue never declared (nothing ever failed) is absent.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> MessagesAsync(BenchOptions options, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(options.RabbitManagementUrl.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.RabbitUser}:{options.RabbitPassword}")));
        using var queues = JsonDocument.Parse(await http.GetStringAsync($"api/queues/{Uri.EscapeDataString(options.VirtualHost)}", ct));
        return queues.RootElement.EnumerateArray()
            .Where(q => q.GetProperty("name").GetString()!.EndsWith("_error", StringComparison.Ordinal))
            .ToDictionary(q => q.GetProperty("name").GetString()!,
                q => q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0);
    }
}
