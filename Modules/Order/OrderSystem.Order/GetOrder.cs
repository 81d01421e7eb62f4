using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Fulfillment;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Order;

/// <summary>GET /api/orders/{orderId}: the order, how far its asynchronous fulfillment has come, and its refunds.</summary>
internal static class GetOrder
{
    internal sealed record Response(
        Guid OrderId, string UserId, string Status, decimal TotalAmount, IReadOnlyList<OrderItem> Items,
        DateTime CreatedAt, DateTime ExpiresAt, string? PaymentId, DateTime? PaidAt, DateTime? ExpiredAt, FulfillmentView Fulfillment,
        IReadOnlyList<RefundView> Refunds);

    public static async Task<IResult> Handle(string orderId, ModuleStore<ModuleTag> orders, IRefundRequests refunds, CancellationToken ct)
    {
        if (!OrderIds.TryParse(orderId, out var id, out var problem))
        {
            return problem!;
        }
        await using var connection = await orders.Db.OpenAsync(ct);
        var order = await StoredOrder.LoadAsync(connection, id, ct);
        if (order is null)
        {
            return Problems.NotFound("Order", orderId);
        }
        var fulfillment = await FulfillmentView.LoadAsync(connection, id, ct);
        var refundList = await refunds.ForOrderAsync(connection, id, ct);
        return TypedResults.Ok(new Response(order.OrderId, order.UserId, order.Status, order.TotalAmount, order.Items,
            order.CreatedAt, order.ExpiresAt, order.PaymentId, order.PaidAt, order.ExpiredAt, fulfillment, refundList));
    }
}
