using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace OrderSystem.Operations.Console.Overview;

/// <summary>
/// Messages delivered to a consumer and not acknowledged yet, per queue, from RabbitMQ's management API
/// (<c>RabbitMq:ManagementUrl</c>): AMQP does not tell them. One request for the whole virtual host. The broker refreshes
/// these statistics every 5 seconds (its <c>collect_statistics_interval</c>), so the figure is up to that old.
/// </summary>
internal sealed class InFlightMessages(IHttpClientFactory clients, IConfiguration configuration)
{
    internal const string Client = "rabbitmq-management";

    private sealed record QueueStats(string Name, [property: JsonPropertyName("messages_unacknowledged")] long? Unacknowledged);

    /// <summary>Whether <c>RabbitMq:ManagementUrl</c> is set; without it the figure stays empty.</summary>
    public bool Configured => ManagementUrl is not null;

    private Uri? ManagementUrl => configuration["RabbitMq:ManagementUrl"] is { Length: > 0 } url ? new Uri(url.TrimEnd('/') + "/") : null;

    /// <summary>Unacknowledged messages by queue name, or null when the management API is not configured.</summary>
    public async Task<IReadOnlyDictionary<string, long>?> ByQueueAsync(CancellationToken ct)
    {
        if (ManagementUrl is not { } root)
        {
            return null;
        }
        var vhost = Uri.EscapeDataString(configuration["RabbitMq:VirtualHost"] ?? "/");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(root, $"api/queues/{vhost}?columns=name,messages_unacknowledged"));
        var credentials = $"{configuration["RabbitMq:Username"] ?? "guest"}:{configuration["RabbitMq:Password"] ?? "guest"}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        using var response = await clients.CreateClient(Client).SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var queues = await response.Content.ReadFromJsonAsync<List<QueueStats>>(ct) ?? [];
        return queues.ToDictionary(q => q.Name, q => q.Unacknowledged ?? 0, StringComparer.Ordinal);
    }
}
