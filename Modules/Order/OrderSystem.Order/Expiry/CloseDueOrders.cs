using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Expiry;

/// <summary>
/// One pass of the closer: the Created orders whose window has ended, claimed with SKIP LOCKED (instances never wait on
/// each other) and closed as Expired with an OrderExpired outbox row each, in one short transaction. Every query reads
/// the due index (status, expires_at): the rows it closes, plus one to find the next deadline.
/// </summary>
internal sealed class CloseDueOrders(ModuleStore<ModuleTag> orders)
{
    // Round trip 1: the next deadline still ahead (one index entry), then the due orders, locked.
    internal const string NextDueSql = """
        SELECT expires_at FROM order_orders WHERE status = 'Created' AND expires_at > @Now ORDER BY expires_at LIMIT 1
        """;

    internal const string ClaimDueSql = """
        SELECT id AS OrderId, user_id AS UserId, expires_at AS ExpiresAt, stock_reserved AS StockReserved FROM order_orders
        WHERE status = 'Created' AND expires_at <= @Now ORDER BY expires_at LIMIT @Batch FOR UPDATE SKIP LOCKED
        """;

    internal const string ItemsSql = """
        SELECT order_id AS OrderId, sku AS Sku, quantity AS Quantity, unit_price AS UnitPrice FROM order_items WHERE order_id IN @Ids
        """;

    private const string BeginSql = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; START TRANSACTION;";

    // The claim holds the rows' locks and saw them Created: one statement closes them all.
    private const string ExpireSql = "UPDATE order_orders SET status = 'Expired', expired_at = @Now WHERE id IN ";

    internal sealed record Result(int Closed, DateTime? NextDue);

    private sealed record DueOrder(Guid OrderId, string UserId, DateTime ExpiresAt, bool StockReserved);

    private sealed record DueItem(Guid OrderId, string Sku, int Quantity, decimal UnitPrice);

    public async Task<Result> RunAsync(DateTime now, int batchSize, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        try
        {
            return await ClaimAndCloseAsync(connection, now, batchSize, ct);
        }
        catch
        {
            await InlineTransaction.RollBackQuietlyAsync(connection);
            throw;
        }
    }

    private async Task<Result> ClaimAndCloseAsync(MySqlConnection connection, DateTime now, int batchSize, CancellationToken ct)
    {
        DateTime? nextDue;
        List<DueOrder> due;
        await using (var results = await connection.QueryMultipleAsync(new CommandDefinition(
            NextDueSql + ";" + BeginSql + ClaimDueSql, new { Now = now, Batch = batchSize }, cancellationToken: ct)))
        {
            nextDue = await results.ReadSingleOrDefaultAsync<DateTime?>();
            due = (await results.ReadAsync<DueOrder>()).AsList();
        }
        if (due.Count == 0)
        {
            await InlineTransaction.EndAsync(connection, commit: true, ct);
            return new Result(0, nextDue);
        }
        var items = (await connection.QueryAsync<DueItem>(new CommandDefinition(
            ItemsSql, new { Ids = due.ConvertAll(o => o.OrderId) }, cancellationToken: ct))).ToLookup(i => i.OrderId);
        var expired = due.ConvertAll(o => new OrderExpired(o.OrderId, o.UserId,
            [.. items[o.OrderId].Select(i => new OrderLine(i.Sku, i.Quantity, i.UnitPrice))], o.ExpiresAt, now));
        // Numbered parameter names only; the ids are parameters.
        var close = new MySqlBatchCommand(ExpireSql + "(" + string.Join(", ", due.Select((_, i) => $"@Id{i}")) + ")")
        {
            Parameters = { new("@Now", now) },
        };
        for (var i = 0; i < due.Count; i++)
        {
            close.Parameters.Add(new MySqlParameter($"@Id{i}", due[i].OrderId));
        }
        await using var batch = new MySqlBatch(connection) { BatchCommands = { close, orders.Outbox.CreateInsertMany(expired, now) } };
        // A flash sale's orders are announced once more, to the module that reserved their units: no other expiry reaches it.
        var reserved = expired.Where((_, i) => due[i].StockReserved)
            .Select(e => new ReservedOrderExpired(e.OrderId, e.UserId, e.Items, e.ExpiresAt, now)).ToList();
        if (reserved.Count > 0)
        {
            batch.BatchCommands.Add(orders.Outbox.CreateInsertMany(reserved, now));
        }
        await InlineTransaction.ExecuteAndCommitAsync(batch, ct);
        orders.Outbox.NotifyCommitted();
        ExpiryMetrics.Closed(now, due.ConvertAll(o => o.ExpiresAt));
        return new Result(due.Count, nextDue);
    }
}
