using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

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

    private sealed record QueueInfo(string Name);

    private sealed record QueueType(string Type);

    private static HttpClient CreateClient(string managementUrl)
    {
        var client = new HttpClient { BaseAddress = new Uri(managementUrl.TrimEnd('/') + "/") };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestSettings.RabbitUser}:{TestSettings.RabbitPassword}"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        return client;
    }
}
