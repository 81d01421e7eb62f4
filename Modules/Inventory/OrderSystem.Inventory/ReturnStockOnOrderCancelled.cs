using MassTransit;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Inventory;

/// <summary>
/// Gives a cancelled paid order's stock back, once per order. The stock a payment took stays counted in deducted; what
/// comes back is counted in returned, so reconciliation's stock check (paid orders against deducted) holds throughout.
/// </summary>
internal sealed class ReturnStockOnOrderCancelled(ModuleStore<ModuleTag> inventory, TimeProvider clock) : IConsumer<OrderCancelled>
{
    // The unique order_id is the once-per-order guard (also against a duplicate under another message id). The stock
    // updates check that this very attempt wrote the return row, so only the first attempt for the order moves stock.
    private const string ReturnSql = """
        INSERT IGNORE INTO inventory_returns (order_id, attempt_id, created_at) VALUES (@OrderId, @AttemptId, @Now)
        """;

    private const string RestockSql = """
        UPDATE inventory_products SET available = available + @Quantity, returned = returned + @Quantity
        WHERE sku = @Sku AND EXISTS (SELECT 1 FROM inventory_returns WHERE order_id = @OrderId AND attempt_id = @AttemptId)
        """;

    public async Task Consume(ConsumeContext<OrderCancelled> context)
    {
        var cancelled = context.Message;
        var now = clock.UtcNowForDatabase();
        var attemptId = Guid.NewGuid();
        await using var connection = await inventory.Db.OpenAsync(context.CancellationToken);
        await using var batch = new MySqlBatch(connection)
        {
            BatchCommands =
            {
                InlineTransaction.Start(),
                inventory.Inbox.CreateRecord(context.MessageId!.Value, nameof(ReturnStockOnOrderCancelled), now),
                new MySqlBatchCommand(ReturnSql)
                {
                    Parameters = { new("@OrderId", cancelled.OrderId), new("@AttemptId", attemptId), new("@Now", now) },
                },
            },
        };
        // The payment's SKU order, so a return and a payment never deadlock.
        foreach (var line in cancelled.Items.OrderBy(l => l.Sku, StringComparer.Ordinal))
        {
            batch.BatchCommands.Add(new MySqlBatchCommand(RestockSql)
            {
                Parameters =
                {
                    new("@Quantity", line.Quantity), new("@Sku", line.Sku), new("@OrderId", cancelled.OrderId), new("@AttemptId", attemptId),
                },
            });
        }
        await InlineTransaction.ExecuteAndCommitAsync(batch, context.CancellationToken);
    }
}

internal sealed class ReturnStockOnOrderCancelledDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<ReturnStockOnOrderCancelled>(InventoryModule.Declaration, 16, retry);
