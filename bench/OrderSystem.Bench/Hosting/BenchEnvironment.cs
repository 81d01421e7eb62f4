using System.Net;
using System.Text;
using Dapper;
using MySqlConnector;
using OrderSystem.Migrations;

namespace OrderSystem.Bench.Hosting;

/// <summary>
/// The benchmark's own database and RabbitMQ virtual host, emptied before each scenario so no backlog or table growth
/// from one scenario leaks into the next. Used only when the benchmark manages the host: it never resets a system it was pointed at.
/// </summary>
internal sealed class BenchEnvironment(BenchOptions options)
{
    private const string TablesSql =
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'VersionInfo'";

    public void Migrate() => DatabaseMigrator.MigrateUp(options.ConnectionString);

    public async Task ResetAsync(CancellationToken ct)
    {
        await using (var connection = new MySqlConnection(options.ConnectionString))
        {
            await connection.OpenAsync(ct);
            foreach (var table in await connection.QueryAsync<string>(TablesSql))
            {
                // Names come from information_schema of our own database, not from input.
                await connection.ExecuteAsync($"TRUNCATE TABLE `{table}`");
            }
        }
        await RecreateVirtualHostAsync(ct);
    }

    /// <summary>Deleting the virtual host drops every queue and any message left in them; MassTransit declares its topology again.</summary>
    public async Task RecreateVirtualHostAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(options.RabbitManagementUrl.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Authorization = new("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.RabbitUser}:{options.RabbitPassword}")));
        var vhost = Uri.EscapeDataString(options.VirtualHost);
        var deleted = await http.DeleteAsync($"api/vhosts/{vhost}", ct);
        if (deleted.StatusCode != HttpStatusCode.NotFound)
        {
            deleted.EnsureSuccessStatusCode();
        }
        (await http.PutAsync($"api/vhosts/{vhost}", null, ct)).EnsureSuccessStatusCode();
        (await http.PutAsync($"api/permissions/{vhost}/{Uri.EscapeDataString(options.RabbitUser)}",
            JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" }), ct)).EnsureSuccessStatusCode();
    }
}
