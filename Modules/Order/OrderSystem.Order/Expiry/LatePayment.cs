using Microsoft.AspNetCore.Http;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Order.Expiry;

/// <summary>
/// A payment that arrives after the order's window: the money was taken, so its refund is created in the same
/// transaction that records it, as for a payment that found the stock short. The order stays Expired.
/// </summary>
internal sealed class LatePayment(ModuleStore<ModuleTag> orders, IRefundRequests refunds)
{
    // The closer has not got to the order yet: the payment closes it itself (OrderExpired, then the refund request).
    private const string ExpireSql = """
        UPDATE order_orders SET status = 'Expired', expired_at = @Now, payment_id = @PaymentId
        WHERE id = @Id AND status = 'Created' AND expires_at <= @Now
        """;

    // The closer was first: the first late payment is recorded on the order, so a replay of it requests nothing more.
    private const string RecordSql = """
        UPDATE order_orders SET payment_id = @PaymentId WHERE id = @Id AND status = 'Expired' AND payment_id IS NULL
        """;

    /// <summary>Closes a Created order whose window has ended; null when it changed meanwhile (read it again).</summary>
    public async Task<IResult?> ExpireAsync(MySqlConnection connection, StoredOrder order, string paymentId, DateTime now, CancellationToken ct)
    {
        var expired = new OrderExpired(order.OrderId, order.UserId,
            [.. order.Items.Select(i => new OrderLine(i.Sku, i.Quantity, i.UnitPrice))], order.ExpiresAt, now);
        var refundId = Guid.CreateVersion7();
        var refund = new OrderRefundRequested(order.OrderId, order.UserId, paymentId, order.TotalAmount, RefundReasons.OrderExpired, now, refundId);
        // Each insert only when the statement before it changed its row: all of them, or nothing.
        MySqlBatchCommand[] reserved = order.StockReserved
            ? [orders.Outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(),
                new ReservedOrderExpired(order.OrderId, order.UserId, expired.Items, order.ExpiresAt, now), now)]
            : [];
        return await RunAsync(connection, new MySqlBatchCommand(ExpireSql)
            {
                Parameters = { new("@PaymentId", paymentId), new("@Now", now), new("@Id", order.OrderId) },
            },
            [orders.Outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(), expired, now),
             .. reserved,
             orders.Outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(), refund, now),
             .. RefundCommands(refundId, order, paymentId, order.TotalAmount, now)], ct);
    }

    /// <summary>Records the first payment for an Expired order and requests its refund; null when the order changed meanwhile.</summary>
    public Task<IResult?> RecordAsync(MySqlConnection connection, StoredOrder order, string paymentId, decimal amount, DateTime now, CancellationToken ct)
    {
        var refundId = Guid.CreateVersion7();
        var refund = new OrderRefundRequested(order.OrderId, order.UserId, paymentId, amount, RefundReasons.OrderExpired, now, refundId);
        return RunAsync(connection, new MySqlBatchCommand(RecordSql)
            {
                Parameters = { new("@PaymentId", paymentId), new("@Id", order.OrderId) },
            },
            [orders.Outbox.CreateInsertIfPreviousInserted(Guid.CreateVersion7(), refund, now), .. RefundCommands(refundId, order, paymentId, amount, now)], ct);
    }

    public static IResult Problem(string detail =
        "The order's payment window ended before the payment arrived; the order is closed and the payment is being refunded.") =>
        Problems.Create(StatusCodes.Status409Conflict, "order-expired", "Order expired.", detail);

    private IReadOnlyList<MySqlBatchCommand> RefundCommands(Guid refundId, StoredOrder order, string paymentId, decimal amount, DateTime now) =>
        refunds.CreateRequestCommands(new RefundRequest(refundId, order.OrderId, paymentId, amount, RefundReasons.OrderExpired), now);

    private async Task<IResult?> RunAsync(MySqlConnection connection, MySqlBatchCommand change, MySqlBatchCommand[] events, CancellationToken ct)
    {
        await using var batch = new MySqlBatch(connection) { BatchCommands = { InlineTransaction.Start(), change } };
        foreach (var e in events)
        {
            batch.BatchCommands.Add(e);
        }
        if (!await InlineTransaction.ExecuteAndCommitIfAsync(batch, expectedRows: 1 + events.Length, ct))
        {
            return null;
        }
        orders.Outbox.NotifyCommitted();
        refunds.NotifyCommitted();
        return Problem();
    }
}
