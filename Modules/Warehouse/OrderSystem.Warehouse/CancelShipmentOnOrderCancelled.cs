using MassTransit;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Warehouse;

/// <summary>
/// Makes sure a cancelled order ships nothing, once: its hold stays, and a waybill still Requested (one that a
/// concurrent OrderPaid recorded after the cancellation looked) is cancelled with the logistics system. Usually the
/// cancellation did all of it already, through <see cref="ShipmentHold"/>; GET /api/shipments shows the shipment Cancelled.
/// </summary>
internal sealed class CancelShipmentOnOrderCancelled(ModuleStore<ModuleTag> warehouse, ShipmentStopper stopper, TimeProvider clock)
    : IConsumer<OrderCancelled>
{
    public async Task Consume(ConsumeContext<OrderCancelled> context)
    {
        var (orderId, messageId, ct) = (context.Message.OrderId, context.MessageId!.Value, context.CancellationToken);
        if (await warehouse.HasSeenAsync(messageId, nameof(CancelShipmentOnOrderCancelled), ct))
        {
            return;
        }
        await stopper.HoldAsync(orderId, ct);
        await stopper.CancelRecordedAsync(orderId, ct); // a parcel that left anyway is recorded PickedUp and logged
        await using var connection = await warehouse.Db.OpenAsync(ct);
        await using var batch = new MySqlBatch(connection)
        {
            BatchCommands = { warehouse.Inbox.CreateRecord(messageId, nameof(CancelShipmentOnOrderCancelled), clock.UtcNowForDatabase()) },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>Each message may wait on the logistics system, as the shipments' requests do.</summary>
internal sealed class CancelShipmentOnOrderCancelledDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<CancelShipmentOnOrderCancelled>(WarehouseModule.Declaration, 32, retry);
