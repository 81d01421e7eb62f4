using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.ChangeLog;
using OrderSystem.Order.Contracts;
using OrderSystem.Order.Expiry;

namespace OrderSystem.Order;

/// <summary>Flash sales' orders, placed inside the caller's transaction (see <see cref="IReservedOrders"/>).</summary>
internal sealed class ReservedOrders(ModuleStore<ModuleTag> orders, IOptions<OrderOptions> options, IOptions<OrderChangeLogOptions> feed)
    : IReservedOrders
{
    private const string InsertOrdersSql = """
        INSERT INTO order_orders (id, user_id, status, total_amount, created_at, expires_at, stock_reserved) VALUES
        """;

    private const string InsertItemsSql = "INSERT INTO order_items (order_id, sku, quantity, unit_price) VALUES ";

    private const string PaidSql = """
        SELECT i.sku AS Sku, SUM(i.quantity) AS Quantity FROM order_items i JOIN order_orders o ON o.id = i.order_id
        WHERE o.stock_reserved = 1 AND o.paid_at IS NOT NULL GROUP BY i.sku
        """;

    public IReadOnlyList<DbBatchCommand> CreatePlaceCommands(IReadOnlyList<ReservedOrder> placed, DateTime now)
    {
        if (placed.Count == 0)
        {
            return [];
        }
        var expiresAt = now.AddSeconds(options.Value.PaymentWindowSeconds);
        // Numbered parameter names only; every value is a parameter.
        var insertOrders = new MySqlBatchCommand(InsertOrdersSql + string.Join(", ",
            placed.Select((_, i) => $"(@Id{i}, @UserId{i}, 'Created', @Total{i}, @Now, @ExpiresAt, 1)")))
        {
            Parameters = { new("@Now", now), new("@ExpiresAt", expiresAt) },
        };
        var insertItems = new MySqlBatchCommand(InsertItemsSql + string.Join(", ",
            placed.Select((_, i) => $"(@Id{i}, @Sku{i}, @Quantity{i}, @Price{i})")));
        for (var i = 0; i < placed.Count; i++)
        {
            var order = placed[i];
            insertOrders.Parameters.Add(new MySqlParameter($"@Id{i}", order.OrderId));
            insertOrders.Parameters.Add(new MySqlParameter($"@UserId{i}", order.UserId));
            insertOrders.Parameters.Add(new MySqlParameter($"@Total{i}", order.UnitPrice * order.Quantity));
            insertItems.Parameters.Add(new MySqlParameter($"@Id{i}", order.OrderId));
            insertItems.Parameters.Add(new MySqlParameter($"@Sku{i}", order.Sku));
            insertItems.Parameters.Add(new MySqlParameter($"@Quantity{i}", order.Quantity));
            insertItems.Parameters.Add(new MySqlParameter($"@Price{i}", order.UnitPrice));
        }
        List<DbBatchCommand> commands = [insertOrders, insertItems];
        if (feed.Value.Enabled)
        {
            // The feed's OrderCreated, as PlaceOrder writes it: born dispatched, never published.
            commands.AddRange(placed.Select(o => orders.Outbox.CreateRecord(Guid.CreateVersion7(), new OrderCreated(o.OrderId, o.UserId,
                [new OrderLine(o.Sku, o.Quantity, o.UnitPrice)], o.UnitPrice * o.Quantity, expiresAt, now), now)));
        }
        return commands;
    }

    public async Task<IReadOnlyDictionary<string, long>> GetPaidQuantitiesAsync(DbTransaction transaction, CancellationToken ct)
    {
        var tx = (MySqlTransaction)transaction;
        var rows = await tx.Connection!.QueryAsync<(string Sku, decimal Quantity)>(new CommandDefinition(PaidSql, transaction: tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Sku, r => (long)r.Quantity, StringComparer.Ordinal);
    }
}
