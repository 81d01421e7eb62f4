using Dapper;
using MySqlConnector;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Outbox;

/// <summary>
/// End-to-end fulfillment lag, read from what the product recorded itself: from the order's paid_at (taken just before the
/// payment transaction) to the latest of the four completion times in order_fulfillment (each the moment its module
/// committed its effect). Both clocks are the host's, so the load generator's clock never enters.
/// </summary>
internal static class FulfillmentLag
{
    private const string DoneSql = """
        SELECT COUNT(*) FROM order_fulfillment f JOIN order_orders o ON o.id = f.order_id
        WHERE o.paid_at BETWEEN @From AND @To AND o.status = 'Paid' AND f.status = 'Done'
        """;

    private const string PaidSql = "SELECT COUNT(*) FROM order_orders WHERE paid_at BETWEEN @From AND @To AND status = 'Paid'";

    private const string LagSql = """
        SELECT TIMESTAMPDIFF(MICROSECOND, o.paid_at, MAX(f.at)) / 1000.0
        FROM order_orders o JOIN order_fulfillment f ON f.order_id = o.id
        WHERE o.paid_at BETWEEN @From AND @To AND o.status = 'Paid'
        GROUP BY o.id
        HAVING SUM(f.status = 'Done') = 4
        """;

    /// <summary>Waits until every order paid in the window is fulfilled (or the wait is over), then measures those that are.</summary>
    public static async Task<LagResult> MeasureAsync(string connectionString, DateTime from, DateTime to, TimeSpan wait, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var window = new { From = from, To = to };
        var paid = await WaitUntilFulfilledAsync(connection, window, wait, ct);
        var lags = await connection.QueryAsync<double>(new CommandDefinition(LagSql, window, cancellationToken: ct, commandTimeout: 120));
        return new LagResult(LatencyStats.Of(lags), paid);
    }

    /// <summary>Waits until every order paid so far is fulfilled, so that no backlog of earlier payments runs into a measurement.</summary>
    public static async Task DrainAsync(string connectionString, TimeSpan wait, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await WaitUntilFulfilledAsync(connection, new { From = DateTime.MinValue, To = DateTime.MaxValue }, wait, ct);
    }

    private static async Task<long> WaitUntilFulfilledAsync(MySqlConnection connection, object window, TimeSpan wait, CancellationToken ct)
    {
        var paid = await connection.ExecuteScalarAsync<long>(new CommandDefinition(PaidSql, window, cancellationToken: ct));
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline &&
               await connection.ExecuteScalarAsync<long>(new CommandDefinition(DoneSql, window, cancellationToken: ct)) < paid * 4)
        {
            await Task.Delay(250, ct);
        }
        return paid;
    }
}

internal sealed record LagResult(LatencyStats Lag, long Paid)
{
    public long Fulfilled => Lag.Count;
}
