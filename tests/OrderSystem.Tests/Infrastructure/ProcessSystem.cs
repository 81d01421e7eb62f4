using Dapper;
using MySqlConnector;
using OrderSystem.Migrations;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// A fresh database and virtual host for tests that run the host as separate processes, and the settings those
/// processes get. Dropped and recreated per test: these tests are few and slow, so a clean start is worth it.
/// </summary>
internal sealed class ProcessSystem
{
    private ProcessSystem(string database, string vhost)
    {
        Database = database;
        VirtualHost = vhost;
    }

    public string Database { get; }

    public string VirtualHost { get; }

    public static async Task<ProcessSystem> CreateAsync(string name)
    {
        var system = new ProcessSystem("ordersystem_test_" + TestSettings.Scoped(name), "ordersystem-test-" + TestSettings.Scoped(name));
        await RabbitManagement.DeleteVirtualHostAsync(system.VirtualHost);
        await RabbitManagement.EnsureVirtualHostAsync(system.VirtualHost);
        await using (var server = new MySqlConnection(TestSettings.ConnectionString("")))
        {
            await server.OpenAsync();
            await server.ExecuteAsync($"DROP DATABASE IF EXISTS `{system.Database}`"); // a constant name, see above
        }
        DatabaseMigrator.MigrateUp(TestSettings.ConnectionString(system.Database));
        await Simulator.EnsureRunningAsync();
        await Simulator.QuietAsync();
        return system;
    }

    public HostProcess Host(string name, params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__OrderSystem"] = TestSettings.ConnectionString(Database),
            ["RabbitMq__VirtualHost"] = VirtualHost,
            ["ThirdParties__BaseUrl"] = Simulator.BaseUrl.ToString(), // the simulator the tests set faults on
            ["Outbox__PollIntervalMs"] = "1000",
            ["Outbox__MaxBackoffMs"] = "2000",
            ["Messaging__RetryIntervalsMs__0"] = "20",
            ["Messaging__RetryIntervalsMs__1"] = "20",
            ["Messaging__RetryIntervalsMs__2"] = "20",
            ["Messaging__RetryIntervalsMs__3"] = "20",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }
        return new HostProcess(name, settings);
    }

    /// <summary>
    /// Until the hosts are ready and every module queue has <paramref name="perQueue"/> consumers: competing consumers
    /// on one queue per module, not a queue per host.
    /// </summary>
    public async Task WaitForConsumersAsync(IReadOnlyList<HostProcess> hosts, int perQueue)
    {
        await Task.WhenAll(hosts.Select(h => h.WaitUntilReadyAsync(TimeSpan.FromSeconds(90))));
        await Eventually.Until(() => RabbitQueues.ConsumerCountsAsync(VirtualHost, ModuleTopology.Queues),
            c => ModuleTopology.Queues.All(q => c.GetValueOrDefault(q) == perQueue), TimeSpan.FromSeconds(60),
            $"{perQueue} consumers on every module queue",
            async () => string.Join("\n", await Task.WhenAll(hosts.Select(h => h.DescribeAsync())))
                + "\nbroker: " + await RabbitManagement.NodeAlarmsAsync());
    }

    public async Task<MySqlConnection> OpenAsync()
    {
        var connection = new MySqlConnection(TestSettings.ConnectionString(Database));
        await connection.OpenAsync();
        return connection;
    }

    public async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var connection = await OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }
}
