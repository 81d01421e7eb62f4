using System.Data.Common;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;
using OrderSystem.Order;
using OrderSystem.Order.Contracts;
using OrderTag = OrderSystem.Order.ModuleTag;

namespace OrderSystem.Bench.SyncChain;

/// <summary>
/// The synchronous chain's payment callback: the same request checks and the same core transaction as the product
/// (status, then stock through Inventory's port) but no outbox row; then every downstream step inline before answering.
/// </summary>
internal static class PayThroughSyncChain
{
    private const string MarkPaidSql =
        "UPDATE order_orders SET status = 'Paid', payment_id = @PaymentId, paid_at = @Now WHERE id = @Id AND status = 'Created'";

    public static async Task<IResult> Handle(
        string orderId, HttpRequest http, ModuleStore<OrderTag> orders, IStock stock, PaymentSignature signature, SyncChainSteps steps, TimeProvider clock,
        CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadBytesAsync(http, ct);
        if (problem is not null)
        {
            return problem;
        }
        if (!signature.IsValid(body, http.Headers["X-Signature"]) || !Guid.TryParseExact(orderId, "D", out var id))
        {
            return Results.BadRequest();
        }
        var (request, parseProblem) = JsonBody.Parse<PayOrder.Request>(body);
        if (parseProblem is not null)
        {
            return parseProblem;
        }

        OrderPaid paid;
        await using (var connection = await orders.Db.OpenAsync(ct))
        {
            var order = await StoredOrder.LoadAsync(connection, id, ct);
            if (order is null || order.Status != OrderStatus.Created || order.TotalAmount != request!.Amount)
            {
                return Results.Conflict();
            }
            var now = clock.UtcNowForDatabase();
            await using var tx = await connection.BeginTransactionAsync(ct);
            // The product's batch without its outbox row: status and stock in one round trip.
            var lines = order.Items.Select(i => new StockLine(i.Sku, i.Quantity)).ToList();
            await using var batch = new MySqlBatch(connection, tx)
            {
                BatchCommands =
                {
                    new MySqlBatchCommand(MarkPaidSql)
                    {
                        Parameters = { new("@PaymentId", request.PaymentId), new("@Now", now), new("@Id", id) },
                    },
                },
            };
            foreach (var deduct in stock.CreateDeductCommands(lines))
            {
                ((DbBatch)batch).BatchCommands.Add(deduct);
            }
            if (await batch.ExecuteNonQueryAsync(ct) != 1 + lines.Count)
            {
                await tx.RollbackAsync(ct);
                return Results.Conflict();
            }
            await tx.CommitAsync(ct);
            paid = new OrderPaid(order.OrderId, order.UserId,
                [.. order.Items.Select(i => new OrderLine(i.Sku, i.Quantity, i.UnitPrice))], order.TotalAmount, request.PaymentId!, now);
        }
        // The connection is back in the pool while the slow steps run, as a careful synchronous implementation would do.
        await steps.RunAsync(paid, ct);
        return TypedResults.Ok(new PayOrder.Response(paid.OrderId, OrderStatus.Paid, paid.PaymentId, paid.OccurredAt));
    }
}
