using MassTransit;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Warehouse.Contracts;

namespace OrderSystem.Warehouse;

/// <summary>Asks the logistics system to ship a paid order, once per order, unless the order was cancelled (<see cref="ShipmentStopper"/>).</summary>
internal sealed class RequestShipmentOnOrderPaid(
    ModuleStore<ModuleTag> warehouse, LogisticsGateway logistics, ShipmentStopper stopper, TimeProvider clock,
    IFulfillmentRecorder? order = null) : IConsumer<OrderPaid>
{
    private const string InsertSql = """
        INSERT IGNORE INTO warehouse_shipments (shipment_id, order_id, status, tracking_number, created_at)
        VALUES (@ShipmentId, @OrderId, 'Requested', @TrackingNumber, @Now)
        """;

    public async Task Consume(ConsumeContext<OrderPaid> context)
    {
        var paid = context.Message;
        var messageId = context.MessageId!.Value;
        var ct = context.CancellationToken;
        var attempts = DeliveryAttempts.Of<RequestShipmentOnOrderPaid>(context);
        if (await warehouse.HandledBeforeAsync(messageId, nameof(RequestShipmentOnOrderPaid), attempts, ct))
        {
            return;
        }
        if (await stopper.IsHeldAsync(paid.OrderId, ct))
        {
            return; // the order was cancelled before its waybill was requested: ship nothing
        }
        // The slow third-party call happens outside any transaction, so no database lock waits on it.
        var waybill = await logistics.RequestShipmentAsync(paid.OrderId, ct);
        var (shipmentId, trackingNumber) = (waybill.WaybillId, waybill.TrackingNumber);

        var now = clock.UtcNowForDatabase();
        var record = new MySqlBatchCommand(InsertSql)
        {
            Parameters =
            {
                new("@ShipmentId", shipmentId), new("@OrderId", paid.OrderId), new("@TrackingNumber", trackingNumber), new("@Now", now),
            },
        };
        var delivery = new StepDelivery(messageId, attempts);
        await warehouse.ApplyOnceAsync(messageId, nameof(RequestShipmentOnOrderPaid), now, record,
            new ShipmentRequested(paid.OrderId, shipmentId, trackingNumber, now, delivery.MessageId, delivery.Attempts),
            order?.RecordDoneIfPreviousInserted(warehouse.Db.DataSource, paid.OrderId, FulfillmentStep.Shipment, now, delivery));
        // A cancellation that held the order while the waybill was being requested found no shipment to cancel: this side
        // finds its hold (written before it looked) and cancels the waybill itself.
        if (await stopper.IsHeldAsync(paid.OrderId, ct))
        {
            await stopper.CancelRecordedAsync(paid.OrderId, ct);
        }
    }
}

/// <summary>Many messages in flight at once: each mostly waits on the logistics system.</summary>
internal sealed class RequestShipmentOnOrderPaidDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<RequestShipmentOnOrderPaid>(WarehouseModule.Declaration, 128, retry);
