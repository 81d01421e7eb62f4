using Dapper;
using MySqlConnector;

namespace OrderSystem.Bench.Isolation;

/// <summary>
/// How long logistics' backlog takes to clear once it answers again: from the end of the hang until every order paid by
/// then has its shipment step Done in order_fulfillment. The end is the latest of those steps' own times (the host's
/// clock, on this machine), so the polling interval does not add to it.
/// </summary>
internal static class ShipmentDrain
{
    private const string Sql = """
        SELECT COUNT(*), COUNT(f.order_id), MAX(f.at)
        FROM order_orders o
        LEFT JOIN order_fulfillment f ON f.order_id = o.id AND f.step = 'shipment' AND f.status = 'Done'
        WHERE o.status = 'Paid' AND o.paid_at BETWEEN @From AND @Until
        """;

    /// <summary>Waits for the orders paid from <paramref name="from"/> until the hang ended (at most the cap after it).</summary>
    public static async Task<DrainResult> WaitAsync(string connectionString, DateTime from, DateTime hangEnded, TimeSpan cap, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        while (true)
        {
            var (paid, shipped, last) = await connection.QuerySingleAsync<(long, long, DateTime?)>(
                new CommandDefinition(Sql, new { From = from, Until = hangEnded }, cancellationToken: ct));
            if (shipped == paid)
            {
                var took = last is { } at && at > hangEnded ? at - hangEnded : TimeSpan.Zero;
                return new DrainResult(paid, shipped, took);
            }
            if (DateTime.UtcNow - hangEnded > cap)
            {
                return new DrainResult(paid, shipped, null);
            }
            await Task.Delay(250, ct); // polling the condition
        }
    }
}

/// <summary>Orders paid by the end of the hang, those shipped, and the drain time (null: not drained within the cap).</summary>
internal sealed record DrainResult(long Paid, long Shipped, TimeSpan? Took);
