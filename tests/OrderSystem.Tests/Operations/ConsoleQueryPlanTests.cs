using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Feed;
using OrderSystem.Operations;
using OrderSystem.Operations.Console;
using OrderSystem.Operations.Console.Actions;
using OrderSystem.Order;
using OrderSystem.Order.ChangeLog;
using OrderSystem.Refunds;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Operations;

/// <summary>
/// The console's queries read indexes, never a whole table (issue 19: no query scans a table), checked with EXPLAIN on
/// 3,000 orders (ConsolePageTimeTests measures the pages at a million); and the console's password rule.
/// </summary>
public sealed class ConsoleQueryPlanTests : SystemTest
{
    [Test]
    public async Task Every_console_query_reads_indexes_not_tables()
    {
        await using var connection = await System.OpenAsync();
        await SeedAsync(connection);
        var now = DateTime.UtcNow;
        var orderOutbox = OutboxQueries.Of(System.Services.GetServices<ModuleStore>()).Single(q => q.ModuleName == "order");
        var someOrder = await connection.ExecuteScalarAsync<Guid>("SELECT id FROM order_orders ORDER BY id DESC LIMIT 1");

        foreach (var (name, sql, args) in new (string, string, object)[]
        {
            ("search", OrderOperations.SearchSql, new { Term = "p-42", Limit = 50 }),
            ("due", OrderOperations.CountDueSql, new { From = now, To = now.AddMinutes(1) }),
            ("by status", OrderOperations.CountByStatusSql, new { }),
            ("oldest overdue", OrderOperations.OldestOverdueSql, new { Now = now }),
            ("fulfillment lag", OrderOperations.FulfillmentLagSql, new { Latest = 500 }),
            ("an order", StoredOrder.Sql.Split(';')[0], new { Id = someOrder }),
            ("an order's lines", StoredOrder.Sql.Split(';')[1], new { Id = someOrder }),
            ("an order's steps", OrderOperations.StepsSql, new { Id = someOrder }),
            ("an order's messages", OrderOperations.MessagesAtSql, new { Positions = new long[] { 1, 2, 3 } }),
            ("the feed's cursor", FeedOperations.CursorSql, new { }),
            ("the feed's unsequenced changes", OrderChangeLog.FirstAfterSql, new { After = 100 }),
            ("an order's feed events", FeedOperations.EventsOfSql, new { OrderId = someOrder }),
            ("refunds of an order", RefundOperations.ForOrderSql, new { OrderId = Guid.NewGuid() }),
            ("refund summary", RefundOperations.SummarySql, new { }),
            ("oldest processing refund", RefundOperations.OldestProcessingSql, new { }),
            ("outbox backlog", orderOutbox.Backlog, new { MaxAttempts = 5 }),
            ("parked outbox rows", orderOutbox.List, new { Module = "order", Failed = true, MaxAttempts = 5, Limit = 500 }),
            ("audit log", AuditLog.LatestSql, new { Limit = 200 }),
            ("an audited action", AuditLog.FindSql, new { ActionId = Guid.NewGuid() }),
        })
        {
            var plan = (await connection.QueryAsync("EXPLAIN " + sql, args)).Cast<IDictionary<string, object>>().ToList();
            var scans = plan.Where(row => row["table"]?.ToString() is { } table && !table.StartsWith('<') && row["type"]?.ToString() switch
            {
                "ALL" => true,
                // A whole index read in its order: only under a LIMIT (the newest orders), or counting by status, which
                // reads a due index alone and whose cost the overview bounds (PacedRead: at most a tenth of the time).
                "index" => !sql.Contains("LIMIT", StringComparison.Ordinal) && name is not ("by status" or "refund summary"),
                _ => false,
            });
            Assert.That(scans, Is.Empty, $"{name}: {string.Join(" | ", plan.Select(r => string.Join(", ", r)))}");
        }
    }

    private static async Task SeedAsync(MySqlConnection connection)
    {
        await connection.ExecuteAsync("""
            INSERT INTO order_orders (id, user_id, status, total_amount, payment_id, created_at, paid_at, expires_at)
            SELECT CONCAT(LPAD(LOWER(HEX(seq)), 8, '0'), '-0000-7000-8000-', LPAD(LOWER(HEX(seq)), 12, '0')), CONCAT('u-', seq MOD 300),
                   IF(seq MOD 2 = 0, 'Paid', 'Created'), 10, IF(seq MOD 2 = 0, CONCAT('p-', seq), NULL), UTC_TIMESTAMP(6),
                   IF(seq MOD 2 = 0, UTC_TIMESTAMP(6), NULL), UTC_TIMESTAMP(6) + INTERVAL seq SECOND
            FROM seq_1_to_3000
            """);
        await connection.ExecuteAsync("""
            INSERT INTO order_fulfillment (order_id, step, status, at)
            SELECT id, 'points', 'Done', UTC_TIMESTAMP(6) FROM order_orders WHERE status = 'Paid'
            """);
        await connection.ExecuteAsync("""
            INSERT INTO order_outbox (message_id, message_type, payload, created_at, dispatched_at)
            SELECT UUID(), 'OrderSystem.Tests.Seeded', '{}', UTC_TIMESTAMP(6), IF(seq MOD 10 = 0, NULL, UTC_TIMESTAMP(6))
            FROM seq_1_to_3000
            """);
        await connection.ExecuteAsync("""
            INSERT INTO feed_events (sequence, order_id, version, type, occurred_at, source_position, body, sequenced_at)
            SELECT 1000000 + seq, id, 1, 'OrderCreated', created_at, seq, '{}', UTC_TIMESTAMP(6)
            FROM (SELECT id, created_at, ROW_NUMBER() OVER (ORDER BY id) AS seq FROM order_orders) o
            """);
        await connection.ExecuteAsync("""
            INSERT INTO operations_audit_log (action_id, operator, action, target, result, at)
            SELECT UUID(), 'op', 'retry-module', 'order', 'Done', UTC_TIMESTAMP(6) FROM seq_1_to_300
            """);
        await connection.ExecuteAsync("ANALYZE TABLE order_orders, order_fulfillment, order_outbox, feed_events, operations_audit_log");
    }

    [Test]
    public void The_console_is_off_outside_development_without_a_password()
    {
        var production = new TestEnvironment("Production");

        Assert.That(new ConsoleOptions().EffectivePassword(production), Is.Null);
        Assert.That(new ConsoleOptions().EffectivePassword(new TestEnvironment("Development")), Is.EqualTo(ConsoleOptions.DevelopmentPassword));
        Assert.That(new ConsoleOptions { Password = "set" }.EffectivePassword(production), Is.EqualTo("set"));
    }

    private sealed class TestEnvironment(string name) : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "OrderSystem.Host";
        public string ContentRootPath { get; set; } = TestSettings.RepoRoot;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
