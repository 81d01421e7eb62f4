using Dapper;
using MySqlConnector;

namespace OrderSystem.Bench.Isolation;

/// <summary>
/// Each downstream step's lag per order, from what the host recorded: paid_at (taken just before the payment
/// transaction) to the step's Done time in order_fulfillment, as in <see cref="Outbox.FulfillmentLag"/> but per step.
/// </summary>
internal static class StepLags
{
    public const string Points = "points";
    public const string Coupon = "coupon";
    public const string Sms = "sms";
    public const string Shipment = "shipment";

    private const string Sql = """
        SELECT f.order_id, f.step, TIMESTAMPDIFF(MICROSECOND, o.paid_at, f.at)
        FROM order_orders o JOIN order_fulfillment f ON f.order_id = o.id
        WHERE o.status = 'Paid' AND f.status = 'Done' AND o.paid_at >= @From
        """;

    private const string UnfulfilledSql = """
        SELECT COUNT(*) FROM order_orders o
        WHERE o.status = 'Paid' AND (SELECT COUNT(*) FROM order_fulfillment f WHERE f.order_id = o.id AND f.status = 'Done') < 4
        """;

    /// <summary>Paid orders with a step not Done yet (all of them, warm-up included).</summary>
    public static async Task<long> UnfulfilledAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(UnfulfilledSql, cancellationToken: ct));
    }

    /// <summary>Lags in milliseconds by order and step, for the orders paid from the given moment on.</summary>
    public static async Task<IReadOnlyDictionary<(Guid OrderId, string Step), double>> ReadAsync(
        string connectionString, DateTime from, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var rows = await connection.QueryAsync<(Guid OrderId, string Step, long Microseconds)>(
            new CommandDefinition(Sql, new { From = from }, cancellationToken: ct, commandTimeout: 120));
        return rows.ToDictionary(r => (r.OrderId, r.Step), r => r.Microseconds / 1000.0);
    }
}
