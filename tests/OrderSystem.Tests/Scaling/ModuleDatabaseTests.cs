using System.Net;
using Dapper;
using MySqlConnector;
using OrderSystem.Migrations;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Scaling;

/// <summary>
/// ConnectionStrings:&lt;Module&gt; moves a module's tables to a database of its own by configuration alone: here Points
/// and Marketing live in a second database while the other modules stay in the shared one.
/// </summary>
public sealed class ModuleDatabaseTests
{
    private const string SecondDatabase = "ordersystem_test_moduledb_loyalty";

    private static readonly string SecondConnectionString = TestSettings.ConnectionString(SecondDatabase);

    [Test]
    public async Task Points_and_Marketing_on_a_second_database_keep_the_flow_retention_and_reconciliation_working()
    {
        await RecreateSecondDatabaseAsync();
        await using var system = await TestSystem.StartAsync("moduledb", settings: new Dictionary<string, string>
        {
            ["ConnectionStrings:Points"] = SecondConnectionString,
            ["ConnectionStrings:Marketing"] = SecondConnectionString,
        });
        var sku = "MDB-" + Guid.NewGuid().ToString("N")[..8];
        var user = "u-" + Guid.NewGuid().ToString("N")[..8];
        Assert.That((await system.Api.PutProductAsync(sku, 30m, 5)).Status, Is.EqualTo(HttpStatusCode.OK));
        var orderId = (await system.Api.PlaceOrderAsync(user, (sku, 1))).Json["orderId"]!.GetValue<string>();
        Assert.That((await system.Api.PayAsync(orderId, "pay-mdb", 30m)).Status, Is.EqualTo(HttpStatusCode.OK));

        // Points and Marketing are not on Order's database, so they report with their completion events.
        await Eventually.Until(() => system.Api.GetAsync($"/api/orders/{orderId}"),
            r => new[] { "points", "coupon", "sms", "shipment" }.All(s => r.Json["fulfillment"]![s]!["status"]!.GetValue<string>() == "Done"),
            TimeSpan.FromSeconds(30), "all four steps Done");

        var order = new { OrderId = orderId };
        await using var shared = await system.OpenAsync();
        await using var second = await OpenSecondAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await second.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM points_entries WHERE order_id = @OrderId", order), Is.EqualTo(1));
            Assert.That(await second.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM marketing_coupons WHERE order_id = @OrderId", order), Is.EqualTo(1));
            Assert.That(await shared.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM points_entries"), Is.Zero, "nothing of Points in the shared database");
            Assert.That(await shared.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM marketing_coupons"), Is.Zero);
            Assert.That((await system.Api.GetAsync($"/api/users/{user}/points")).Json["balance"]!.GetValue<long>(), Is.EqualTo(30));
        });
        var clean = await ReconcileAsync(system);
        Assert.That(clean, Is.Empty, "reconciliation over both databases finds nothing");

        // Reconciliation reads Points' own database: a second announcement of the order there is found.
        await second.ExecuteAsync("""
            INSERT INTO points_outbox (message_id, message_type, payload, created_at, dispatched_at)
            SELECT UUID(), message_type, payload, created_at, created_at FROM points_outbox WHERE payload LIKE @Like
            """, new { Like = $"%{orderId}%" });
        var findings = await ReconcileAsync(system);
        Assert.That(findings.Select(f => (f["check"]!.GetValue<string>(), f["module"]!.GetValue<string>(), f["subject"]!.GetValue<string>())),
            Is.EquivalentTo(new[] { ("duplicate-announcement", "Points", orderId) }));

        // Retention trims Points' tables in Points' database.
        await second.ExecuteAsync("UPDATE points_outbox SET dispatched_at = NOW(6) - INTERVAL 30 DAY");
        await second.ExecuteAsync("UPDATE points_inbox SET processed_at = NOW(6) - INTERVAL 30 DAY");
        var retention = await system.Api.SendRawAsync(HttpMethod.Post, "/api/admin/retention/run", null, ("X-Api-Key", TestSettings.AdminKey));
        Assert.That(retention.Status, Is.EqualTo(HttpStatusCode.OK), retention.ToString());
        Assert.Multiple(async () =>
        {
            Assert.That(await second.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM points_outbox"), Is.Zero);
            Assert.That(await second.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM points_inbox"), Is.Zero);
            Assert.That(await second.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM points_entries"), Is.EqualTo(1), "effects are never trimmed");
        });
    }

    [Test]
    public void Order_and_Inventory_on_different_connections_fail_at_startup()
    {
        var failure = Assert.CatchAsync(async () =>
        {
            await using var _ = await TestSystem.StartAsync("moduledb_split", settings: new Dictionary<string, string>
            {
                ["ConnectionStrings:Inventory"] = SecondConnectionString,
            });
        });

        Assert.That(failure!.ToString(), Does.Contain("share the payment transaction"));
    }

    private static async Task<List<System.Text.Json.Nodes.JsonNode>> ReconcileAsync(TestSystem system)
    {
        var reply = await system.Api.SendRawAsync(HttpMethod.Get, "/api/admin/reconciliation?olderThanSeconds=0", null,
            ("X-Api-Key", TestSettings.AdminKey));
        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.OK), reply.ToString());
        return [.. reply.Json["findings"]!.AsArray().Select(f => f!)];
    }

    private static async Task RecreateSecondDatabaseAsync()
    {
        await using (var server = new MySqlConnection(TestSettings.ConnectionString("")))
        {
            await server.OpenAsync();
            await server.ExecuteAsync($"DROP DATABASE IF EXISTS {SecondDatabase}");
        }
        DatabaseMigrator.MigrateUp(SecondConnectionString, "Points");
        DatabaseMigrator.MigrateUp(SecondConnectionString, "Marketing");
    }

    private static async Task<MySqlConnection> OpenSecondAsync()
    {
        var connection = new MySqlConnection(SecondConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
