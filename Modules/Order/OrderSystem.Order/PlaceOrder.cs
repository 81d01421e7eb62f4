using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;
using OrderSystem.Order.ChangeLog;
using OrderSystem.Order.Contracts;
using OrderSystem.Order.Expiry;

namespace OrderSystem.Order;

/// <summary>POST /api/orders: a buyer's order at today's catalog prices, waiting for payment.</summary>
internal static class PlaceOrder
{
    internal sealed record Request(string? UserId, List<ItemRequest?>? Items);

    internal sealed record ItemRequest(string? Sku, int? Quantity);

    internal sealed record Response(
        Guid OrderId, string UserId, string Status, decimal TotalAmount, IReadOnlyList<OrderItem> Items, DateTime CreatedAt,
        DateTime ExpiresAt);

    private const string InsertOrderSql = """
        INSERT INTO order_orders (id, user_id, status, total_amount, created_at, expires_at)
        VALUES (@Id, @UserId, 'Created', @TotalAmount, @CreatedAt, @ExpiresAt)
        """;

    private const string InsertItemSql =
        "INSERT INTO order_items (order_id, sku, quantity, unit_price) VALUES (@OrderId, @Sku, @Quantity, @UnitPrice)";

    public static async Task<IResult> Handle(
        HttpRequest http, ModuleStore<ModuleTag> orders, IStock stock, IOptions<OrderOptions> options,
        IOptions<OrderChangeLogOptions> feed, TimeProvider clock, CancellationToken ct)
    {
        var (request, problem) = await JsonBody.ReadAsync<Request>(http, ct);
        if (problem is not null)
        {
            return problem;
        }
        var errors = PlaceOrderValidation.Validate(request!);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var lines = request!.Items!.Select(i => (Sku: i!.Sku!, Quantity: i.Quantity!.Value)).ToList();
        var prices = await stock.GetPricesAsync(lines.ConvertAll(l => l.Sku), ct);
        var unknown = PlaceOrderValidation.UnknownSkus(lines.ConvertAll(l => l.Sku), prices);
        if (unknown.Count > 0)
        {
            return Problems.Validation(unknown);
        }

        var items = lines.ConvertAll(l => new OrderItem(l.Sku, l.Quantity, prices[l.Sku]));
        var now = clock.UtcNowForDatabase();
        var order = new Response(Guid.CreateVersion7(), request.UserId!, OrderStatus.Created,
            items.Sum(i => i.UnitPrice * i.Quantity), items, now, now.AddSeconds(options.Value.PaymentWindowSeconds));
        await InsertAsync(orders, order, feed.Value.Enabled, ct);
        return TypedResults.Created($"/api/orders/{order.OrderId}", order);
    }

    private static async Task InsertAsync(ModuleStore<ModuleTag> orders, Response order, bool recordForFeed, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var batch = new MySqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new MySqlBatchCommand(InsertOrderSql)
                {
                    Parameters =
                    {
                        new("@Id", order.OrderId), new("@UserId", order.UserId),
                        new("@TotalAmount", order.TotalAmount), new("@CreatedAt", order.CreatedAt), new("@ExpiresAt", order.ExpiresAt),
                    },
                },
            },
        };
        foreach (var item in order.Items)
        {
            batch.BatchCommands.Add(new MySqlBatchCommand(InsertItemSql)
            {
                Parameters =
                {
                    new("@OrderId", order.OrderId), new("@Sku", item.Sku),
                    new("@Quantity", item.Quantity), new("@UnitPrice", item.UnitPrice),
                },
            });
        }
        if (recordForFeed)
        {
            // The feed's OrderCreated, in the order's own transaction; born dispatched, so nothing is published for it.
            batch.BatchCommands.Add(orders.Outbox.CreateRecord(Guid.CreateVersion7(), new OrderCreated(order.OrderId, order.UserId,
                order.Items.Select(i => new OrderLine(i.Sku, i.Quantity, i.UnitPrice)).ToList(), order.TotalAmount, order.ExpiresAt,
                order.CreatedAt), order.CreatedAt));
        }
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }
}
