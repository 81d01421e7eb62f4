using Dapper;
using Microsoft.Extensions.Logging;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Warehouse;

/// <summary>
/// Stops an order's shipment. A hold row says "ship nothing for this order": it is written before the shipment is looked
/// at, and <see cref="RequestShipmentOnOrderPaid"/> looks for it before asking for a waybill and again after recording
/// one. So a waybill requested while a cancellation was deciding is found by one side or the other and cancelled.
/// </summary>
internal sealed partial class ShipmentStopper(
    ModuleStore<ModuleTag> warehouse, LogisticsGateway logistics, HoldLookups holds, TimeProvider clock, ILogger<ShipmentStopper> log)
{
    private const string HoldSql = "INSERT IGNORE INTO warehouse_holds (order_id, created_at) VALUES (@OrderId, @Now)";

    private const string ReleaseSql = "DELETE FROM warehouse_holds WHERE order_id = @OrderId";

    private const string ShipmentSql = """
        SELECT shipment_id AS ShipmentId, status AS Status FROM warehouse_shipments WHERE order_id = @OrderId
        """;

    // Only a Requested shipment changes: Cancelled and PickedUp are final.
    private const string MarkSql = """
        UPDATE warehouse_shipments SET status = @Status, cancelled_at = IF(@Status = 'Cancelled', @Now, NULL)
        WHERE order_id = @OrderId AND status = 'Requested'
        """;

    public async Task HoldAsync(Guid orderId, CancellationToken ct)
    {
        await using var connection = await warehouse.Db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(HoldSql, new { OrderId = orderId, Now = clock.UtcNowForDatabase() }, cancellationToken: ct));
    }

    /// <summary>Lifts the hold of an order that stays paid (its parcel left, or logistics did not answer).</summary>
    public async Task ReleaseAsync(Guid orderId, CancellationToken ct)
    {
        await using var connection = await warehouse.Db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(ReleaseSql, new { OrderId = orderId }, cancellationToken: ct));
    }

    public Task<bool> IsHeldAsync(Guid orderId, CancellationToken ct) => holds.IsHeldAsync(orderId, ct);

    /// <summary>
    /// Cancels the order's recorded waybill, if it has one still Requested, and records the answer. True when no parcel
    /// leaves for the order (cancelled now or before, or none recorded); false when it was picked up.
    /// </summary>
    public async Task<bool> CancelRecordedAsync(Guid orderId, CancellationToken ct)
    {
        await using var connection = await warehouse.Db.OpenAsync(ct);
        var shipment = await connection.QuerySingleOrDefaultAsync<Shipment>(
            new CommandDefinition(ShipmentSql, new { OrderId = orderId }, cancellationToken: ct));
        if (shipment is null || shipment.Status == ShipmentStatus.Cancelled)
        {
            return true;
        }
        if (shipment.Status == ShipmentStatus.PickedUp)
        {
            return false;
        }
        var cancelled = await logistics.CancelWaybillAsync(shipment.ShipmentId, ct);
        await connection.ExecuteAsync(new CommandDefinition(MarkSql, new
        {
            Status = cancelled ? ShipmentStatus.Cancelled : ShipmentStatus.PickedUp, Now = clock.UtcNowForDatabase(), OrderId = orderId,
        }, cancellationToken: ct));
        if (!cancelled)
        {
            LogPickedUp(orderId, shipment.ShipmentId);
        }
        return cancelled;
    }

    [LoggerMessage(LogLevel.Information, "Order {OrderId}: waybill {WaybillId} was picked up already, its shipment cannot be cancelled")]
    private partial void LogPickedUp(Guid orderId, Guid waybillId);

    private sealed record Shipment(Guid ShipmentId, string Status);
}

/// <summary>A shipment's states: Requested (a waybill exists), then Cancelled, or PickedUp (the parcel left).</summary>
internal static class ShipmentStatus
{
    public const string Requested = "Requested";
    public const string Cancelled = "Cancelled";
    public const string PickedUp = "PickedUp";
}
