using System.Data.Common;
using Microsoft.AspNetCore.Http;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Observability;
using OrderSystem.Inventory.Contracts;
using OrderSystem.Order.Contracts;
using OrderSystem.Order.Expiry;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Order;

/// <summary>
/// The payment's one transaction: Created to Paid, stock deducted through Inventory's port, an OrderPaid outbox row.
/// When stock is short it all rolls back and a second transaction cancels the order and creates its refund; when the
/// payment window has ended the order is expired instead (<see cref="LatePayment"/>).
/// </summary>
internal sealed class PaymentTransaction(
    IStock stock, IRefundRequests refunds, ModuleStore<ModuleTag> orders, LatePayment late, TimeProvider clock)
{
    // The status condition makes the update the arbiter between concurrent callbacks for one order, and between a
    // payment and the expiry closer; the deadline condition refuses a payment that comes after the window.
    private const string MarkPaidSql = """
        UPDATE order_orders SET status = 'Paid', payment_id = @PaymentId, paid_at = @Now
        WHERE id = @Id AND status = 'Created' AND expires_at > @Now
        """;

    private const string MarkCancelledSql = """
        UPDATE order_orders SET status = 'Cancelled', payment_id = @PaymentId, cancelled_at = @Now
        WHERE id = @Id AND status = 'Created' AND expires_at > @Now
        """;

    /// <summary>Returns the answer, or null when the order changed under us and must be read again.</summary>
    public async Task<IResult?> PayAsync(MySqlConnection connection, StoredOrder order, string paymentId, CancellationToken ct)
    {
        using var span = Telemetry.Source.StartActivity("payment transaction");
        span?.SetTag("order.id", order.OrderId);
        var now = clock.UtcNowForDatabase();
        if (now >= order.ExpiresAt)
        {
            return await late.ExpireAsync(connection, order, paymentId, now, ct);
        }
        var paid = new OrderPaid(order.OrderId, order.UserId,
            order.Items.Select(i => new OrderLine(i.Sku, i.Quantity, i.UnitPrice)).ToList(), order.TotalAmount, paymentId, now);

        // START TRANSACTION, status, outbox row and stock in one round trip, then COMMIT or ROLLBACK in a second
        // (an InlineTransaction): all of it rolls back unless every statement changed its row.
        var lines = order.Items.Select(i => new StockLine(i.Sku, i.Quantity)).ToList();
        await using (var batch = new MySqlBatch(connection)
        {
            BatchCommands =
            {
                InlineTransaction.Start(),
                new MySqlBatchCommand(MarkPaidSql)
                {
                    Parameters = { new("@PaymentId", paymentId), new("@Now", now), new("@Id", order.OrderId) },
                },
                orders.Outbox.CreateInsert(Guid.CreateVersion7(), paid, now),
            },
        })
        {
            // A flash sale's order takes from the units reserved for it, which cannot run short.
            foreach (var deduct in order.StockReserved ? stock.CreateDeductReservedCommands(lines) : stock.CreateDeductCommands(lines))
            {
                ((DbBatch)batch).BatchCommands.Add(deduct);
            }
            // The batch reports only its total of rows: status 1 + outbox row 1 + one per stock line means all went in.
            var paidInFull = await InlineTransaction.ExecuteAsync(batch, ct) == 2 + lines.Count;
            await InlineTransaction.EndAsync(connection, commit: paidInFull, ct);
            if (paidInFull)
            {
                orders.Outbox.NotifyCommitted();
                return TypedResults.Ok(new PayOrder.Response(order.OrderId, OrderStatus.Paid, paymentId, now));
            }
        }
        // Either a line was short, or a concurrent callback or the closer changed the order first: the cancellation's
        // own status condition tells them apart, and answers null (read the order again) in the second case.
        return await CancelForShortStockAsync(connection, order, paymentId, now, ct);
    }

    private async Task<IResult?> CancelForShortStockAsync(
        MySqlConnection connection, StoredOrder order, string paymentId, DateTime now, CancellationToken ct)
    {
        var refundId = Guid.CreateVersion7();
        var requested = new OrderRefundRequested(order.OrderId, order.UserId, paymentId, order.TotalAmount, RefundReasons.OutOfStock, now, refundId);
        // One batch, then COMMIT: the event and the refund are written only if the status update found the order still Created.
        await using var batch = new MySqlBatch(connection)
        {
            BatchCommands =
            {
                InlineTransaction.Start(),
                new MySqlBatchCommand(MarkCancelledSql)
                {
                    Parameters = { new("@PaymentId", paymentId), new("@Now", now), new("@Id", order.OrderId) },
                },
                orders.Outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(), requested, now),
            },
        };
        foreach (var command in refunds.CreateRequestCommands(
                     new RefundRequest(refundId, order.OrderId, paymentId, order.TotalAmount, RefundReasons.OutOfStock), now))
        {
            batch.BatchCommands.Add(command);
        }
        if (!await InlineTransaction.ExecuteAndCommitIfAsync(batch, expectedRows: 2 + refunds.RowsPerRequest, ct))
        {
            return null;
        }
        orders.Outbox.NotifyCommitted();
        refunds.NotifyCommitted();
        return OutOfStock();
    }

    public static IResult OutOfStock() => Problems.Create(StatusCodes.Status409Conflict, "out-of-stock", "Out of stock.",
        "Not enough stock was left when the payment arrived; the order was cancelled and the payment is being refunded.");
}
