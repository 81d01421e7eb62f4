using Dapper;
using MySqlConnector;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Capacity;

/// <summary>
/// The fulfillment lag of the payments of one 5-second window (by paid_at): from paid_at to the last of the four steps' Done
/// times in order_fulfillment, as <see cref="Outbox.FulfillmentLag"/> takes it. An order with a step not Done is counted
/// apart, so a backlog shows up as a window that is not steady instead of being averaged away.
/// </summary>
internal sealed record LagWindow(int Index, LatencyStats Lag, int Unfulfilled)
{
    public bool IsSteady(double limitMs) => Unfulfilled == 0 && (Lag.Count == 0 || Lag.P99 <= limitMs);
}

internal static class LagWindows
{
    public static readonly TimeSpan Width = TimeSpan.FromSeconds(5);

    private const string Sql = """
        SELECT o.paid_at AS PaidAt,
               CASE WHEN SUM(f.status = 'Done') = 4 THEN TIMESTAMPDIFF(MICROSECOND, o.paid_at, MAX(f.at)) END AS Microseconds
        FROM order_orders o LEFT JOIN order_fulfillment f ON f.order_id = o.id
        WHERE o.paid_at BETWEEN @From AND @To AND o.status = 'Paid'
        GROUP BY o.id, o.paid_at
        """;

    public static async Task<IReadOnlyList<LagWindow>> ReadAsync(string connectionString, DateTime from, DateTime to, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var rows = await connection.QueryAsync<(DateTime PaidAt, long? Microseconds)>(
            new CommandDefinition(Sql, new { From = from, To = to }, cancellationToken: ct, commandTimeout: 120));
        return rows
            .GroupBy(r => (int)((r.PaidAt - from).Ticks / Width.Ticks))
            .OrderBy(g => g.Key)
            .Select(g => new LagWindow(g.Key,
                LatencyStats.Of(g.Where(r => r.Microseconds is not null).Select(r => r.Microseconds!.Value / 1000.0)),
                g.Count(r => r.Microseconds is null)))
            .ToList();
    }
}
