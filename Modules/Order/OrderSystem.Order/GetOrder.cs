using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.Order.Fulfilment;

namespace OrderSystem.Order;

/// <summary>GET /api/orders/{orderId}: the order and how far its asynchronous fulfilment has come.</summary>
internal static class GetOrder
{
    internal sealed record Response(
        Guid OrderId, string UserId, string Status, decimal TotalAmount, IReadOnlyList<OrderItem> Items,
        DateTime CreatedAt, string? PaymentId, DateTime? PaidAt, FulfilmentView Fulfillment);

    public static async Task<IResult> Handle(string orderId, Db db, CancellationToken ct)
    {
        if (!OrderIds.TryParse(orderId, out var id, out var problem))
        {
            return problem!;
        }
        await using var connection = await db.OpenAsync(ct);
        var order = await StoredOrder.LoadAsync(connection, id, ct);
        if (order is null)
        {
            return Problems.NotFound("Order", orderId);
        }
        var fulfilment = await FulfilmentView.LoadAsync(connection, id, ct);
        return TypedResults.Ok(new Response(order.OrderId, order.UserId, order.Status, order.TotalAmount, order.Items,
            order.CreatedAt, order.PaymentId, order.PaidAt, fulfilment));
    }
}
