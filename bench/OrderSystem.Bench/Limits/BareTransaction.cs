using Dapper;
using MySqlConnector;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Limits;

/// <summary>
/// The database ceiling: the payment's writes alone (order to Paid and stock deducted in one batch, COMMIT; no outbox row,
/// no HTTP, no read),
/// straight through MySqlConnector at the same concurrency as the buyers. The product's payments per second are divided by this.
/// </summary>
internal static class BareTransaction
{
    private const string InsertOrdersSql = """
        INSERT INTO order_orders (id, user_id, status, total_amount, created_at, expires_at)
        SELECT UUID(), CONCAT('bare-', seq), 'Created', 10.00, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 HOUR
        FROM seq_1_to_100000000 WHERE seq <= @Count
        """;

    private const string OrderIdsSql = "SELECT id FROM order_orders WHERE status = 'Created' AND user_id LIKE 'bare-%'";

    private const string MarkPaidSql =
        "UPDATE order_orders SET status = 'Paid', payment_id = @PaymentId, paid_at = UTC_TIMESTAMP(6) WHERE id = @Id AND status = 'Created'";

    private const string DeductSql = "UPDATE inventory_products SET available = available - 1 WHERE sku = @Sku AND available >= 1";

    public static async Task<LoadResult> RunAsync(
        string connectionString, IReadOnlyList<string> skus, int count, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        var work = await PrepareAsync(connectionString, skus, count, ct);
        // The ceiling gets every advantage the product has: a pool without per-open resets, both writes in one round trip.
        using var dataSource = new MySqlDataSource(new MySqlConnectionStringBuilder(connectionString) { ConnectionReset = false }.ConnectionString);
        return await LoadRun.RunAsync("bare transaction", work, concurrency, duration, null, async (item, token) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(token);
            await using var tx = await connection.BeginTransactionAsync(token);
            await using var batch = new MySqlBatch(connection, tx)
            {
                BatchCommands =
                {
                    new MySqlBatchCommand(MarkPaidSql) { Parameters = { new("@PaymentId", $"bare-{item.OrderId:N}"), new("@Id", item.OrderId) } },
                    new MySqlBatchCommand(DeductSql) { Parameters = { new("@Sku", item.Sku) } },
                },
            };
            var changed = await batch.ExecuteNonQueryAsync(token);
            await tx.CommitAsync(token);
            return changed == 2;
        }, ct);
    }

    /// <summary>Fresh Created orders, inserted in bulk by the server itself (MariaDB's seq engine), each with a random SKU.</summary>
    private static async Task<IReadOnlyList<(Guid OrderId, string Sku)>> PrepareAsync(
        string connectionString, IReadOnlyList<string> skus, int count, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(InsertOrdersSql, new { Count = count }, cancellationToken: ct, commandTimeout: 300));
        var ids = (await connection.QueryAsync<Guid>(new CommandDefinition(OrderIdsSql, cancellationToken: ct))).AsList();
        var random = new Random(count);
        return [.. ids.Select(id => (id, skus[random.Next(skus.Count)]))];
    }
}
