using Microsoft.AspNetCore.Http;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Order.Expiry;
using OrderSystem.Refunds.Contracts;
using OrderSystem.Warehouse.Contracts;

namespace OrderSystem.Order;

/// <summary>
/// Cancels an order. A paid one: first Warehouse stops its shipment (or refuses, once the parcel has left), then one
/// transaction turns it Cancelled, writes OrderCancelled (the modules' compensations follow from it) and creates its
/// refund through Refunds' port, all or nothing. An unpaid one is simply closed: nothing was taken, so nothing is undone
/// (a payment arriving after it is refunded as a <see cref="StrayPayment"/>). A repeated cancellation answers the same.
/// </summary>
internal sealed class OrderCancellation(
    ModuleStore<ModuleTag> orders, IRefundRequests refunds, TimeProvider clock, IShipmentHold? shipments = null)
{
    // The status conditions make the updates the arbiters between two cancellations, a cancellation and a payment, and a
    // cancellation and the expiry closer.
    private const string CancelPaidSql = """
        UPDATE order_orders SET status = 'Cancelled', cancelled_at = @Now, cancel_reason = @Reason WHERE id = @Id AND status = 'Paid'
        """;

    private const string CancelUnpaidSql = """
        UPDATE order_orders SET status = 'Cancelled', cancelled_at = @Now, cancel_reason = @Reason WHERE id = @Id AND status = 'Created'
        """;

    public async Task<IResult> CancelAsync(Guid id, string reason, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        // A few looks at most: when the order changes between our read and our write, the next look answers from that change.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var order = await StoredOrder.LoadAsync(connection, id, ct);
            switch (order)
            {
                case null:
                    return Problems.NotFound("Order", id.ToString());
                case { Status: OrderStatus.Cancelled, CancelReason: not null }:
                    return await AcceptedAsync(connection, order, ct);
                case { Status: OrderStatus.Cancelled }:
                    return Problems.Create(StatusCodes.Status409Conflict, "order-cancelled", "Order cancelled.",
                        "The order was cancelled when its payment found the stock short; its payment is being refunded.");
                case { Status: OrderStatus.Expired }:
                    return LatePayment.Problem("The order's payment window ended: it is closed and has nothing to cancel.");
                case { Status: OrderStatus.Created }:
                    if (await CancelUnpaidAsync(connection, order, reason, ct))
                    {
                        return Accepted(order.OrderId, refund: null);
                    }
                    continue;
                case { Status: OrderStatus.Paid }:
                    var stop = shipments is null ? ShipmentStop.LogisticsUnavailable : await shipments.TryStopAsync(order.OrderId, ct);
                    if (stop != ShipmentStop.Stopped)
                    {
                        return stop == ShipmentStop.AlreadyLeft ? ShipmentLeft() : LogisticsUnavailable();
                    }
                    if (await CancelPaidAsync(connection, order, reason, ct))
                    {
                        orders.Outbox.NotifyCommitted();
                        refunds.NotifyCommitted();
                        return await AcceptedAsync(connection, order, ct);
                    }
                    continue;
            }
        }
        return Problems.Create(StatusCodes.Status409Conflict, "order-changing", "The order is changing.",
            "The order kept changing while it was being cancelled; send the cancellation again.");
    }

    private Task<bool> CancelPaidAsync(MySqlConnection connection, StoredOrder order, string reason, CancellationToken ct)
    {
        var now = clock.UtcNowForDatabase();
        var refundId = Guid.CreateVersion7();
        var cancelled = new OrderCancelled(order.OrderId, order.UserId, Lines(order), order.TotalAmount, order.PaymentId!, reason, now, refundId);
        // The event only if the update changed the order, the refund only if the event went in: all of it, or nothing.
        List<MySqlBatchCommand> rest = [orders.Outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(), cancelled, now)];
        rest.AddRange(refunds.CreateRequestCommands(
            new RefundRequest(refundId, order.OrderId, order.PaymentId!, order.TotalAmount, RefundReasons.Cancellation), now));
        return RunAsync(connection, Update(CancelPaidSql, order, reason, now), rest, ct, expectedRows: 2 + refunds.RowsPerRequest);
    }

    // Nothing was taken from an unpaid order, so nothing is published (the feed's row is born dispatched), except the units
    // a flash sale reserved for it: those are announced, to go back.
    private async Task<bool> CancelUnpaidAsync(MySqlConnection connection, StoredOrder order, string reason, CancellationToken ct)
    {
        var now = clock.UtcNowForDatabase();
        var cancelled = new UnpaidOrderCancelled(order.OrderId, order.UserId, Lines(order), order.TotalAmount, reason, now);
        List<MySqlBatchCommand> rest = [orders.Outbox.CreateRecordIfPreviousInserted(Guid.CreateVersion7(), cancelled, now)];
        if (order.StockReserved)
        {
            var reserved = new ReservedOrderCancelled(order.OrderId, order.UserId, Lines(order), reason, now);
            rest.Add(orders.Outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(), reserved, now));
        }
        if (!await RunAsync(connection, Update(CancelUnpaidSql, order, reason, now), rest, ct, expectedRows: 1 + rest.Count))
        {
            return false;
        }
        if (order.StockReserved)
        {
            orders.Outbox.NotifyCommitted();
        }
        return true;
    }

    private static List<OrderLine> Lines(StoredOrder order) => [.. order.Items.Select(i => new OrderLine(i.Sku, i.Quantity, i.UnitPrice))];

    private MySqlBatchCommand Update(string sql, StoredOrder order, string reason, DateTime? now = null) => new(sql)
    {
        Parameters = { new("@Now", now ?? clock.UtcNowForDatabase()), new("@Reason", reason), new("@Id", order.OrderId) },
    };

    private static async Task<bool> RunAsync(
        MySqlConnection connection, MySqlBatchCommand update, IReadOnlyList<MySqlBatchCommand> rest, CancellationToken ct, int expectedRows = 1)
    {
        await using var batch = new MySqlBatch(connection) { BatchCommands = { InlineTransaction.Start(), update } };
        foreach (var command in rest)
        {
            batch.BatchCommands.Add(command);
        }
        var done = await InlineTransaction.ExecuteAsync(batch, ct) == expectedRows;
        await InlineTransaction.EndAsync(connection, commit: done, ct);
        return done;
    }

    private async Task<IResult> AcceptedAsync(MySqlConnection connection, StoredOrder order, CancellationToken ct)
    {
        var refund = order.PaymentId is null ? null : (await refunds.ForOrderAsync(connection, order.OrderId, ct))
            .FirstOrDefault(r => r.PaymentId == order.PaymentId && r.Reason == RefundReasons.Cancellation);
        return Accepted(order.OrderId, refund);
    }

    private static IResult Accepted(Guid orderId, RefundView? refund) =>
        TypedResults.Json(new CancelOrder.Response(orderId, OrderStatus.Cancelled, refund), statusCode: StatusCodes.Status202Accepted);

    public static IResult ShipmentLeft() => Problems.Create(StatusCodes.Status409Conflict, "shipment-left", "The shipment has left.",
        "The logistics system has picked the parcel up: the order can no longer be cancelled. Nothing was changed.");

    private static IResult LogisticsUnavailable() => Problems.Create(StatusCodes.Status503ServiceUnavailable, "logistics-unavailable",
        "Logistics unavailable.", "Whether the shipment can be stopped is unknown (the logistics system did not answer); nothing was changed, try again.");
}
