using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>RabbitMQ's management HTTP API: virtual hosts for isolation and a look at queues.</summary>
internal static class RabbitManagement
{
    private static readonly ConcurrentDictionary<string, HttpClient> Clients = new();

    private static HttpClient Http => For(TestSettings.RabbitManagementUrl);

    /// <summary>The API of another broker (a cluster node), when not the one in the settings.</summary>
    public static HttpClient For(string managementUrl) => Clients.GetOrAdd(managementUrl, CreateClient);

    public static async Task EnsureVirtualHostAsync(string vhost, HttpClient? api = null)
    {
        var name = Uri.EscapeDataString(vhost);
        var http = api ?? Http;
        (await http.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        var permissions = JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" });
        (await http.PutAsync($"api/permissions/{name}/{Uri.EscapeDataString(TestSettings.RabbitUser)}", permissions)).EnsureSuccessStatusCode();
    }

    public static async Task DeleteVirtualHostAsync(string vhost, HttpClient? api = null)
    {
        var response = await (api ?? Http).DeleteAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}");
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    public static async Task<IReadOnlyList<string>> QueueNamesAsync(string vhost)
    {
        var queues = await Http.GetFromJsonAsync<List<QueueInfo>>($"api/queues/{Uri.EscapeDataString(vhost)}");
        return queues!.ConvertAll(q => q.Name);
    }

    /// <summary>"classic" or "quorum".</summary>
    public static async Task<string> QueueTypeAsync(string vhost, string queue, HttpClient? api = null) =>
        (await (api ?? Http).GetFromJsonAsync<QueueType>($"api/queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}"))!.Type;

    /// <summary>Messages in a queue (ready and unacknowledged), or 0 when it does not exist. The figures lag up to ~5 s.</summary>
    public static async Task<long> MessageCountAsync(string vhost, string queue)
    {
        var response = await Http.GetAsync($"api/queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<QueueCounts>())!.Messages ?? 0;
    }

    /// <summary>The prefetch of each consumer on a queue: how many unacknowledged messages the broker lets it hold.</summary>
    public static async Task<IReadOnlyList<int>> ConsumerPrefetchesAsync(string vhost, string queue)
    {
        var consumers = await Http.GetFromJsonAsync<List<ConsumerInfo>>($"api/consumers/{Uri.EscapeDataString(vhost)}");
        return consumers!.Where(c => c.Queue.Name == queue).Select(c => c.PrefetchCount).ToList();
    }

    /// <summary>For failure messages: a node in memory or disk alarm blocks every connection that publishes.</summary>
    public static async Task<string> NodeAlarmsAsync()
    {
        var nodes = await Http.GetFromJsonAsync<List<NodeInfo>>("api/nodes");
        return string.Join("; ", nodes!.Select(n =>
            $"{n.Name}: mem_alarm={n.MemAlarm} ({n.MemUsed}/{n.MemLimit} B), disk_free_alarm={n.DiskFreeAlarm} ({n.DiskFree} B free)"));
    }

    private sealed record NodeInfo(
        string Name,
        [property: JsonPropertyName("mem_alarm")] bool? MemAlarm,
        [property: JsonPropertyName("mem_used")] long? MemUsed,
        [property: JsonPropertyName("mem_limit")] long? MemLimit,
        [property: JsonPropertyName("disk_free_alarm")] bool? DiskFreeAlarm,
        [property: JsonPropertyName("disk_free")] long? DiskFree);

    private sealed record QueueInfo(string Name);

    private sealed record ConsumerInfo(QueueInfo Queue, [property: JsonPropertyName("prefetch_count")] int PrefetchCount);

    private sealed record QueueCounts(long? Messages);

    private sealed record QueueType(string Type);

    private static HttpClient CreateClient(string managementUrl)
    {
        var client = new HttpClient { BaseAddress = new Uri(managementUrl.TrimEnd('/') + "/") };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSettings.RabbitUser}:{TestSettings.RabbitPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }
}
