using Dapper;
using MySqlConnector;

namespace OrderSystem.Order;

internal sealed record StoredOrder(
    Guid OrderId, string UserId, string Status, decimal TotalAmount, string? PaymentId, DateTime CreatedAt, DateTime? PaidAt,
    DateTime ExpiresAt, DateTime? ExpiredAt, DateTime? CancelledAt, string? CancelReason, bool StockReserved)
{
    public IReadOnlyList<OrderItem> Items { get; init; } = [];

    internal const string Sql = """
        SELECT id AS OrderId, user_id AS UserId, status AS Status, total_amount AS TotalAmount,
               payment_id AS PaymentId, created_at AS CreatedAt, paid_at AS PaidAt, expires_at AS ExpiresAt, expired_at AS ExpiredAt,
               cancelled_at AS CancelledAt, cancel_reason AS CancelReason, stock_reserved AS StockReserved
        FROM order_orders WHERE id = @Id;
        SELECT sku AS Sku, quantity AS Quantity, unit_price AS UnitPrice FROM order_items WHERE order_id = @Id ORDER BY sku;
        """;

    /// <summary>The order and its lines in one round trip.</summary>
    public static async Task<StoredOrder?> LoadAsync(MySqlConnection connection, Guid id, CancellationToken ct)
    {
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(Sql, new { Id = id }, cancellationToken: ct));
        var order = await results.ReadSingleOrDefaultAsync<StoredOrder>();
        return order is null ? null : order with { Items = (await results.ReadAsync<OrderItem>()).AsList() };
    }
}

internal sealed record OrderItem(string Sku, int Quantity, decimal UnitPrice);
