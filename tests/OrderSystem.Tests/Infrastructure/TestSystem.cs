using Dapper;
using MassTransit;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using OpenTelemetry.Trace;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Migrations;
using Respawn;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// The whole host in process, on the real MariaDB and RabbitMQ, isolated in its own database and virtual host.
/// Third-party simulation costs are zero and retries short, so tests run fast.
/// </summary>
internal sealed class TestSystem : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;
    private readonly Respawner _respawner;

    private TestSystem(string database, string vhost, WebApplicationFactory<Program> factory, Respawner respawner, bool kestrel)
    {
        Database = database;
        VirtualHost = vhost;
        _factory = factory;
        _respawner = respawner;
        if (kestrel)
        {
            // A real socket, for a real browser: the address Kestrel bound (port 0 picks a free one).
            BaseAddress = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
                .Addresses.First());
            Api = new Api(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress });
        }
        else
        {
            Api = new Api(factory.CreateClient());
        }
    }

    /// <summary>Where a browser reaches this system; null for the in-memory server.</summary>
    public Uri? BaseAddress { get; }

    public string Database { get; }

    public string VirtualHost { get; }

    public Api Api { get; }

    public IServiceProvider Services => _factory.Services;

    public ConsumeCounter Consumed => Services.GetRequiredService<ConsumeCounter>();

    public static async Task<TestSystem> StartAsync(
        string name, string? modules = null, IDictionary<string, string>? settings = null,
        string? rabbitManagementUrl = null, bool kestrel = false, Action<IServiceCollection>? configureServices = null)
    {
        var database = "ordersystem_test_" + TestSettings.Scoped(name);
        var vhost = "ordersystem-test-" + TestSettings.Scoped(name);
        var connectionString = TestSettings.ConnectionString(database);

        // A fresh virtual host per run: no message left over from an earlier run can reach this one.
        var rabbit = RabbitManagement.For(rabbitManagementUrl ?? TestSettings.RabbitManagementUrl);
        await RabbitManagement.DeleteVirtualHostAsync(vhost, rabbit);
        await RabbitManagement.EnsureVirtualHostAsync(vhost, rabbit);
        DatabaseMigrator.MigrateUp(connectionString);
        // The third parties answer at once and never fail, unless a test says otherwise.
        await Simulator.EnsureRunningAsync();
        await Simulator.QuietAsync();

        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        var respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.MySql,
            SchemasToInclude = [database],
            TablesToIgnore = ["VersionInfo"],
        });
        await respawner.ResetAsync(connection);

        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseContentRoot(TestSettings.RepoRoot);
            host.UseSetting("ConnectionStrings:OrderSystem", connectionString);
            host.UseSetting("RabbitMq:VirtualHost", vhost);
            if (modules is not null)
            {
                host.UseSetting("Modules:Enabled", modules); // else every module, as in the product
            }
            host.UseSetting("ThirdParties:BaseUrl", Simulator.BaseUrl.ToString()); // the simulator the tests set faults on
            host.UseSetting("Refunds:WebhookUrl", ""); // an in-memory host has no address for the provider to call: queries only
            host.UseSetting("Outbox:PollIntervalMs", "1000");
            host.UseSetting("Outbox:MaxBackoffMs", "2000");
            for (var i = 0; i < 4; i++)
            {
                host.UseSetting($"Messaging:RetryIntervalsMs:{i}", "20");
            }
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                host.UseSetting(key, value);
            }
            host.ConfigureServices(configureServices ?? (_ => { })); // a test's own additions, e.g. an identity provider
            host.ConfigureServices(services =>
            {
                services.AddSingleton<ConsumeCounter>();
                services.AddConsumeObserver(sp => sp.GetRequiredService<ConsumeCounter>());
                services.AddSingleton<DeliveriesInHand>();
                services.AddReceiveObserver(sp => sp.GetRequiredService<DeliveriesInHand>());
                var spans = new ExportedSpans(); // the host's traces, for the tracing tests
                services.AddSingleton(spans);
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
            });
        });
        if (kestrel)
        {
            factory.UseKestrel(kestrelOptions => kestrelOptions.Listen(IPAddress.Loopback, 0));
            factory.StartServer();
        }
        var system = new TestSystem(database, vhost, factory, respawner, kestrel);
        await system.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60));
        return system;
    }

    /// <summary>
    /// Waits until the work of an earlier test has settled, then empties every table. Resetting while a message is
    /// still on its way would let it land after the reset and show up as an extra effect in the next test.
    /// </summary>
    public async Task ResetAsync()
    {
        await Simulator.QuietAsync(); // a test that broke a third party must not hold the next one's messages
        // After a test that stopped the broker, each receive endpoint reconnects on its own schedule.
        var bus = Services.GetRequiredService<IBusControl>();
        if (await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60)) != BusHealthStatus.Healthy)
        {
            Assert.Fail($"The test host's bus is not healthy before the test: {bus.CheckHealth().Description}");
        }
        await WaitUntilQuietAsync(TimeSpan.FromSeconds(60));
        await using var connection = await OpenAsync();
        await _respawner.ResetAsync(connection);
    }

    /// <summary>
    /// Quiet: no outbox row waiting for its first publish (rows that already failed are a test's poison on purpose),
    /// no message ready in a module queue, none in a consumer's hands; twice in a row.
    /// </summary>
    private async Task WaitUntilQuietAsync(TimeSpan timeout)
    {
        var quietChecks = 0;
        await Eventually.Until(async () => quietChecks = await IsQuietAsync() ? quietChecks + 1 : 0, n => n >= 2, timeout,
            "the previous test's messages to settle (outbox rows, queued messages, deliveries in hand)");
    }

    private async Task<bool> IsQuietAsync()
    {
        if (Get<DeliveriesInHand>().Count > 0)
        {
            return false;
        }
        await using (var connection = await OpenAsync())
        {
            if (await connection.ExecuteScalarAsync<long>(UnsentOutboxRowsSql) > 0)
            {
                return false;
            }
        }
        return await RabbitQueues.ReadyMessagesAsync(VirtualHost, ModuleTopology.Queues) == 0;
    }

    public async Task<MySqlConnection> OpenAsync()
    {
        var connection = new MySqlConnection(TestSettings.ConnectionString(Database));
        await connection.OpenAsync();
        return connection;
    }

    private static readonly string UnsentOutboxRowsSql = "SELECT " + string.Join(" + ", ModuleTopology.OutboxTables.Select(t =>
        $"(SELECT COUNT(*) FROM {t} WHERE dispatched_at IS NULL AND attempts = 0)"));

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The pool of Order's database (the shared one, in the tests), for tests of the kernel's database code.</summary>
    public Db OrderDb => Get<ModuleStore<OrderSystem.Order.ModuleTag>>().Db;

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
}
