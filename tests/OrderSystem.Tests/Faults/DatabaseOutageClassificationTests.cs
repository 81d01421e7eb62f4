using System.Net.Sockets;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Faults;

/// <summary>What MySqlConnector really throws, provoked against the real server, and whether it counts as an outage (503).</summary>
public sealed class DatabaseOutageClassificationTests
{
    [Test]
    public async Task An_exhausted_connection_pool_is_an_outage()
    {
        var settings = new MySqlConnectionStringBuilder(TestSettings.ConnectionString("ordersystem_test_" + TestSettings.Scoped("main")))
        {
            MaximumPoolSize = 1, ConnectionTimeout = 1, ApplicationName = "pool-exhaustion-test",
        };
        await using var source = new MySqlDataSource(settings.ConnectionString);
        await using var held = await source.OpenConnectionAsync();

        var error = Assert.CatchAsync(async () => await source.OpenConnectionAsync());

        Assert.That(error, Is.InstanceOf<MySqlException>(), error!.ToString());
        Assert.That(DatabaseOutage.Is(error), Is.True, error.Message);
    }

    [Test]
    public async Task A_refused_connection_is_an_outage()
    {
        var closedPort = new MySqlConnectionStringBuilder(TestSettings.ConnectionString("x")) { Port = 1, ConnectionTimeout = 2 };
        await using var connection = new MySqlConnection(closedPort.ConnectionString);

        var error = Assert.CatchAsync(async () => await connection.OpenAsync());

        Assert.That(DatabaseOutage.Is(error!), Is.True, error!.ToString());
    }

    [Test]
    public async Task A_connection_killed_under_a_running_query_is_an_outage()
    {
        await using var victim = new MySqlConnection(TestSettings.ConnectionString("ordersystem_test_" + TestSettings.Scoped("main")));
        await victim.OpenAsync();
        await using var killer = new MySqlConnection(TestSettings.ConnectionString("ordersystem_test_" + TestSettings.Scoped("main")));
        await killer.OpenAsync();
        var victimThread = victim.ServerThread;
        await using var sleep = new MySqlCommand("SELECT SLEEP(10)", victim);
        var running = sleep.ExecuteScalarAsync();
        // The kill must hit the query mid-flight: wait until the server is running it.
        await Eventually.Until(() => RunningQueryAsync(killer, victimThread),
            q => q?.StartsWith("SELECT SLEEP", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(5),
            $"the server to be running SELECT SLEEP(10) on connection {victimThread}");
        await using (var kill = new MySqlCommand($"KILL CONNECTION {victimThread}", killer))
        {
            await kill.ExecuteNonQueryAsync();
        }

        var error = Assert.CatchAsync(async () => await running);

        Assert.That(DatabaseOutage.Is(error!), Is.True, error!.ToString());
    }

    /// <summary>The statement the server is executing on a connection (its process list), or null when idle.</summary>
    private static async Task<string?> RunningQueryAsync(MySqlConnection observer, int threadId)
    {
        await using var query = new MySqlCommand("SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = @id", observer);
        query.Parameters.AddWithValue("@id", threadId);
        return await query.ExecuteScalarAsync() as string;
    }

    [Test]
    public async Task An_SQL_error_is_not_an_outage_but_a_bug()
    {
        await using var connection = new MySqlConnection(TestSettings.ConnectionString("ordersystem_test_" + TestSettings.Scoped("main")));
        await connection.OpenAsync();
        await using var command = new MySqlCommand("SELECT * FROM no_such_table", connection);

        var error = Assert.CatchAsync(async () => await command.ExecuteScalarAsync());

        Assert.That(DatabaseOutage.Is(error!), Is.False, error!.ToString());
    }

    [Test]
    public void A_client_hanging_up_is_not_a_database_outage()
    {
        Assert.That(DatabaseOutage.Is(new IOException("The client reset the request stream.", new SocketException(104))), Is.False);
    }
}
