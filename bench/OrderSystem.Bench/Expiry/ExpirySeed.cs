using Dapper;
using MySqlConnector;

namespace OrderSystem.Bench.Expiry;

/// <summary>
/// The expiry scenario's unpaid orders, written by the server itself (MariaDB's seq engine): user ids exp-1 .. exp-N, the
/// first <c>burst</c> due at one moment, the rest spread evenly over a window; the <c>paid</c> after the burst carry a
/// line of a SKU with stock, so they can be paid.
/// </summary>
internal static class ExpirySeed
{
    private const string InsertSql = """
        INSERT INTO order_orders (id, user_id, status, total_amount, created_at, expires_at)
        SELECT UUID(), CONCAT('exp-', seq), 'Created', 1.00, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 DAY
        FROM seq_1_to_100000000 WHERE seq BETWEEN @From AND @To
        """;

    private const string ItemsSql = """
        INSERT INTO order_items (order_id, sku, quantity, unit_price)
        SELECT id, @Sku, 1, 1.00 FROM order_orders
        WHERE user_id IN (SELECT CONCAT('exp-', seq) FROM seq_1_to_100000000 WHERE seq BETWEEN @From AND @To)
        """;

    // The deadline of exp-n as a function of n: the burst at one moment, the others evenly over the window.
    private const string DeadlinesSql = """
        UPDATE order_orders SET expires_at = IF(CAST(SUBSTRING(user_id, 5) AS UNSIGNED) <= @Burst, @BurstAt,
            @Start + INTERVAL FLOOR((CAST(SUBSTRING(user_id, 5) AS UNSIGNED) - @Burst - 1) * @SpreadUs / @Spread) MICROSECOND)
        WHERE user_id LIKE 'exp-%' AND status = 'Created' AND CAST(SUBSTRING(user_id, 5) AS UNSIGNED) BETWEEN @From AND @To
        """;

    private const string IdsSql = "SELECT id AS OrderId, CAST(SUBSTRING(user_id, 5) AS UNSIGNED) AS Seq FROM order_orders WHERE user_id IN @Users";

    public static async Task InsertAsync(string connectionString, int count, CancellationToken ct)
    {
        await using var connection = await OpenAsync(connectionString, ct);
        for (var from = 1; from <= count; from += 100_000) // chunks keep each transaction's undo small
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertSql, new { From = from, To = Math.Min(count, from + 99_999) },
                cancellationToken: ct, commandTimeout: 600));
        }
    }

    public static async Task AddLinesAsync(string connectionString, string sku, int from, int to, CancellationToken ct)
    {
        await using var connection = await OpenAsync(connectionString, ct);
        await connection.ExecuteAsync(new CommandDefinition(ItemsSql, new { Sku = sku, From = from, To = to }, cancellationToken: ct, commandTimeout: 600));
    }

    /// <summary>Sets every seeded order's deadline: <paramref name="burst"/> at <paramref name="burstAt"/>, the rest from <paramref name="start"/> over <paramref name="spread"/>.</summary>
    public static async Task SetDeadlinesAsync(string connectionString, int count, int burst, DateTime burstAt, DateTime start, TimeSpan spread, CancellationToken ct)
    {
        await using var connection = await OpenAsync(connectionString, ct);
        // In chunks at READ COMMITTED: one statement over a million rows at REPEATABLE READ locked every row it scanned
        // and filled the buffer pool with lock heaps until MariaDB aborted (seen once, with 253 MB of buffer pool).
        await connection.ExecuteAsync(new CommandDefinition("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", cancellationToken: ct));
        for (var from = 1; from <= count; from += 100_000)
        {
            await connection.ExecuteAsync(new CommandDefinition(DeadlinesSql, new
            {
                Burst = burst, BurstAt = burstAt, Start = start, SpreadUs = (long)(spread.TotalMilliseconds * 1000), Spread = Math.Max(1, count - burst),
                From = from, To = Math.Min(count, from + 99_999),
            }, cancellationToken: ct, commandTimeout: 900));
        }
    }

    /// <summary>The deadline the formula above gives exp-<paramref name="seq"/>.</summary>
    public static DateTime DeadlineOf(long seq, int count, int burst, DateTime burstAt, DateTime start, TimeSpan spread) =>
        seq <= burst ? burstAt : start.AddTicks((long)Math.Floor((seq - burst - 1) * (spread.TotalMilliseconds * 1000) / Math.Max(1, count - burst)) * 10);

    public static async Task<IReadOnlyList<(Guid OrderId, long Seq)>> IdsAsync(string connectionString, int from, int to, CancellationToken ct)
    {
        await using var connection = await OpenAsync(connectionString, ct);
        var users = Enumerable.Range(from, to - from + 1).Select(i => $"exp-{i}").ToList();
        return [.. await connection.QueryAsync<(Guid OrderId, long Seq)>(new CommandDefinition(IdsSql, new { Users = users }, cancellationToken: ct))];
    }

    private static async Task<MySqlConnection> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }
}
