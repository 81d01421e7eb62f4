using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrderSystem.Bench.Isolation;

/// <summary>Messages in a module's error queue, from RabbitMQ's management API (its figures lag up to ~5 s).</summary>
internal static class ErrorQueue
{
    /// <summary>Ready and unacknowledged messages in the queue; 0 when it was never declared (nothing ever failed).</summary>
    public static async Task<long> MessagesAsync(BenchOptions options, string queue, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(options.RabbitManagementUrl.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.RabbitUser}:{options.RabbitPassword}")));
        using var response = await http.GetAsync($"api/queues/{Uri.EscapeDataString(options.VirtualHost)}/{Uri.EscapeDataString(queue)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }
        response.EnsureSuccessStatusCode();
        using var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return info.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number
            ? messages.GetInt64() : 0;
    }
}
