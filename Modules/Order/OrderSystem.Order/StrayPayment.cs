using Microsoft.AspNetCore.Http;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Order.Expiry;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Order;

/// <summary>
/// A payment the order cannot take, because another payment already paid it, or it was cancelled or expired with another
/// payment on it. The provider took the money, so we refund it ourselves, in one transaction with OrderRefundRequested.
/// A replay of the same callback refunds nothing more (a payment is refunded once) and gets the same answer.
/// </summary>
internal sealed class StrayPayment(ModuleStore<ModuleTag> orders, IRefundRequests refunds, TimeProvider clock)
{
    /// <summary>Why this payment must be refunded, or null when it is the order's own payment (or the order still waits for one).</summary>
    public static string? ReasonFor(StoredOrder order, string paymentId) => order switch
    {
        { PaymentId: var own } when own == paymentId => null,
        { Status: OrderStatus.Paid } => RefundReasons.DuplicatePayment,
        { Status: OrderStatus.Cancelled } => RefundReasons.OrderCancelled,
        { Status: OrderStatus.Expired, PaymentId: not null } => RefundReasons.OrderExpired,
        _ => null,
    };

    public async Task<IResult> RefundAsync(
        MySqlConnection connection, StoredOrder order, string paymentId, decimal amount, string reason, CancellationToken ct)
    {
        var now = clock.UtcNowForDatabase();
        var refundId = Guid.CreateVersion7();
        var requested = new OrderRefundRequested(order.OrderId, order.UserId, paymentId, amount, reason, now, refundId);
        await using var batch = new MySqlBatch(connection)
        {
            BatchCommands = { InlineTransaction.Start(), orders.Outbox.CreateInsert(Guid.CreateVersion7(), requested, now) },
        };
        foreach (var command in refunds.CreateRequestCommands(new RefundRequest(refundId, order.OrderId, paymentId, amount, reason), now))
        {
            batch.BatchCommands.Add(command);
        }
        // All of it, or nothing: a replayed callback finds the payment refunded already and writes no second event.
        var created = await InlineTransaction.ExecuteAsync(batch, ct) == 1 + refunds.RowsPerRequest;
        await InlineTransaction.EndAsync(connection, commit: created, ct);
        if (created)
        {
            orders.Outbox.NotifyCommitted();
            refunds.NotifyCommitted();
        }
        var refund = (await refunds.ForOrderAsync(connection, order.OrderId, ct)).FirstOrDefault(r => r.PaymentId == paymentId);
        var refundNote = refund is null ? "" : $" It is being refunded (refund {refund.RefundId}).";
        return reason switch
        {
            RefundReasons.DuplicatePayment => Problems.Create(StatusCodes.Status409Conflict, "already-paid", "Order already paid.",
                "The order was paid by another payment." + refundNote),
            RefundReasons.OrderExpired => LatePayment.Problem(
                "The order's payment window ended and another late payment was already recorded on it." + refundNote),
            _ => Problems.Create(StatusCodes.Status409Conflict, "order-cancelled", "Order cancelled.",
                "The order was cancelled and cannot be paid." + refundNote),
        };
    }
}
