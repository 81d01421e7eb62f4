using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>RabbitMQ's management HTTP API: virtual hosts for isolation and a look at queues.</summary>
internal static class RabbitManagement
{
    private static readonly HttpClient Http = CreateClient();

    public static async Task EnsureVirtualHostAsync(string vhost)
    {
        var name = Uri.EscapeDataString(vhost);
        (await Http.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        var permissions = JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" });
        (await Http.PutAsync($"api/permissions/{name}/{Uri.EscapeDataString(TestSettings.RabbitUser)}", permissions)).EnsureSuccessStatusCode();
    }

    public static async Task DeleteVirtualHostAsync(string vhost)
    {
        var response = await Http.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(vhost)}");
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

    public static async Task<IReadOnlyDictionary<string, int>> ConsumerCountsAsync(string vhost)
    {
        var queues = await Http.GetFromJsonAsync<List<QueueInfo>>($"api/queues/{Uri.EscapeDataString(vhost)}");
        return queues!.ToDictionary(q => q.Name, q => q.Consumers ?? 0);
    }

    private sealed record QueueInfo(string Name, int? Consumers = null);

    private sealed record QueueCounts(long? Messages);

    private static HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(TestSettings.RabbitManagementUrl.TrimEnd('/') + "/") };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSettings.RabbitUser}:{TestSettings.RabbitPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }
}
