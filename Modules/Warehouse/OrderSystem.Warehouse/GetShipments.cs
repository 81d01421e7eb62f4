using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Warehouse;

/// <summary>GET /api/shipments?orderId=: the shipments requested for an order.</summary>
internal static class GetShipments
{
    /// <summary>Status Requested, Cancelled (with cancelledAt) or PickedUp.</summary>
    internal sealed record Shipment(Guid ShipmentId, Guid OrderId, string Status, string TrackingNumber, DateTime CreatedAt, DateTime? CancelledAt);

    private const string Sql = """
        SELECT shipment_id AS ShipmentId, order_id AS OrderId, status AS Status, tracking_number AS TrackingNumber, created_at AS CreatedAt, cancelled_at AS CancelledAt
        FROM warehouse_shipments WHERE order_id = @OrderId
        """;

    public static async Task<IResult> Handle(string? orderId, ModuleStore<ModuleTag> warehouse, CancellationToken ct)
    {
        if (!Guid.TryParseExact(orderId, "D", out var id))
        {
            return Problems.Validation("orderId", "Give the query parameter orderId as a GUID.");
        }
        await using var connection = await warehouse.Db.OpenAsync(ct);
        var shipments = await connection.QueryAsync<Shipment>(new CommandDefinition(Sql, new { OrderId = id }, cancellationToken: ct));
        return TypedResults.Ok(shipments.AsList());
    }
}
