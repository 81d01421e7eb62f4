using Dapper;
using OrderSystem.Operations.Console;
using OrderSystem.Order;
using OrderSystem.Refunds;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Operations;

/// <summary>
/// The console's queries read indexes, never a whole table (issue 19: no query scans a table), checked with EXPLAIN on
/// 3,000 orders; and the console's password rule.
/// </summary>
public sealed class ConsoleQueryPlanTests : SystemTest
{
    [Test]
    public async Task The_consoles_order_and_refund_queries_read_indexes_not_tables()
    {
        await using var connection = await System.OpenAsync();
        await connection.ExecuteAsync("""
            INSERT INTO order_orders (id, user_id, status, total_amount, payment_id, created_at, expires_at)
            SELECT UUID(), CONCAT('u-', seq MOD 300), IF(seq MOD 2 = 0, 'Paid', 'Created'), 10, IF(seq MOD 2 = 0, CONCAT('p-', seq), NULL),
                   UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL seq SECOND
            FROM seq_1_to_3000
            """);
        await connection.ExecuteAsync("ANALYZE TABLE order_orders");
        var now = DateTime.UtcNow;

        foreach (var (name, sql, args) in new (string, string, object)[]
        {
            ("search", OrderOperations.SearchSql, new { Term = "p-42", Limit = 50 }),
            ("due", OrderOperations.CountDueSql, new { From = now, To = now.AddMinutes(1) }),
            ("by status", OrderOperations.CountByStatusSql, new { }),
            ("refunds of an order", RefundOperations.ForOrderSql, new { OrderId = Guid.NewGuid() }),
            ("refund summary", RefundOperations.SummarySql, new { }),
            ("oldest processing refund", RefundOperations.OldestProcessingSql, new { }),
        })
        {
            var plan = (await connection.QueryAsync("EXPLAIN " + sql, args)).Cast<IDictionary<string, object>>().ToList();
            var tableScans = plan.Where(row => row["type"]?.ToString() == "ALL" && row["table"]?.ToString() is { } table && !table.StartsWith('<'));
            Assert.That(tableScans, Is.Empty, $"{name}: {string.Join(" | ", plan.Select(r => string.Join(", ", r)))}");
        }
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
