using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.ChangeLog;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>
/// The writes of Order's fulfillment view: one row per order and step, Done or Failed. While the feed is on, each write
/// also leaves an <see cref="OrderFulfillmentStepChanged"/> row in order_outbox, born dispatched (the relay never
/// publishes it), in the same transaction: the feed reads it in the outbox's order with every other change.
/// </summary>
internal sealed class FulfillmentWrites(ModuleStore<ModuleTag> orders, IOptions<OrderChangeLogOptions> feed)
{
    // Naturally idempotent, so the consumers of completion events need no inbox: a redelivery rewrites the same row.
    // Done is final: a late failure report never downgrades it. Status goes last: the other columns read the old one.
    private const string UpsertSql = """
        INSERT INTO order_fulfillment (order_id, step, status, at, attempts, message_id)
        VALUES (@OrderId, @Step, @Status, @At, @Attempts, @ConsumedMessageId)
        ON DUPLICATE KEY UPDATE
            at = IF(status = 'Done', at, VALUES(at)),
            attempts = IF(status = 'Done', attempts, VALUES(attempts)),
            message_id = IF(status = 'Done', message_id, VALUES(message_id)),
            status = IF(status = 'Done', status, VALUES(status))
        """;

    // The same upsert for a module's own transaction (IFulfillmentRecorder): only when its effect row was new.
    private const string DoneIfPreviousInsertedSql = """
        INSERT INTO order_fulfillment (order_id, step, status, at, attempts, message_id)
        SELECT @OrderId, @Step, 'Done', @At, @Attempts, @ConsumedMessageId FROM DUAL WHERE ROW_COUNT() = 1
        ON DUPLICATE KEY UPDATE
            at = IF(status = 'Done', at, VALUES(at)),
            attempts = IF(status = 'Done', attempts, VALUES(attempts)),
            message_id = IF(status = 'Done', message_id, VALUES(message_id)),
            status = 'Done'
        """;

    private const string RecordChangeSql = """
        INSERT INTO order_outbox (message_id, message_type, payload, trace_parent, created_at, dispatched_at)
        VALUES (@MessageId, @MessageType, @Payload, @TraceParent, @At, @At)
        """;

    // In the module's batch, and only when the upsert before it ran (the module's effect was new).
    private const string RecordChangeIfPreviousSql = """
        INSERT INTO order_outbox (message_id, message_type, payload, trace_parent, created_at, dispatched_at)
        SELECT @MessageId, @MessageType, @Payload, @TraceParent, @At, @At FROM DUAL WHERE ROW_COUNT() > 0
        """;

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private readonly bool _recordChanges = feed.Value.Enabled;

    public static string NameOf(FulfillmentStep step) => step switch
    {
        FulfillmentStep.Points => "points",
        FulfillmentStep.Coupon => "coupon",
        FulfillmentStep.Sms => "sms",
        FulfillmentStep.Shipment => "shipment",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };

    /// <summary>The step a module's declaration names; a name Order does not know is a wiring bug, so it throws.</summary>
    public static FulfillmentStep StepNamed(string name) =>
        Enum.GetValues<FulfillmentStep>().Where(s => NameOf(s) == name).Cast<FulfillmentStep?>().FirstOrDefault()
        ?? throw new InvalidOperationException($"A module declares the fulfillment step '{name}', which Order does not know.");

    /// <summary>A step's state as a completion event or a fault reports it, with the consumed message and attempts when known.</summary>
    public Task RecordAsync(Guid orderId, FulfillmentStep step, string status, DateTime at, Guid? consumedMessageId, int? attempts)
    {
        var upsert = new MySqlBatchCommand(UpsertSql)
        {
            Parameters =
            {
                new("@OrderId", orderId), new("@Step", NameOf(step)), new("@Status", status), new("@At", at),
                new("@Attempts", attempts), new("@ConsumedMessageId", consumedMessageId),
            },
        };
        return _recordChanges
            ? GroupCommit.For(orders.Db).RunAsync(orders.Db, upsert, ChangeRow(RecordChangeSql, orderId, step, status, at))
            : GroupCommit.For(orders.Db).RunAsync(orders.Db, upsert);
    }

    /// <summary>
    /// The module's report as one command (the port hands out one): the upsert, and with the feed on the change row in
    /// the same command text, so the row's condition reads the upsert's count.
    /// </summary>
    public MySqlBatchCommand DoneIfPreviousInserted(Guid orderId, FulfillmentStep step, DateTime at, StepDelivery delivery)
    {
        var parameters = new MySqlParameter[]
        {
            new("@OrderId", orderId), new("@Step", NameOf(step)), new("@Attempts", delivery.Attempts),
            new("@ConsumedMessageId", delivery.MessageId),
        };
        if (!_recordChanges)
        {
            return WithParameters(new MySqlBatchCommand(DoneIfPreviousInsertedSql) { Parameters = { new("@At", at) } }, parameters);
        }
        // The change row's parameters (@At among them), then the step's own.
        return WithParameters(ChangeRow(DoneIfPreviousInsertedSql + ";\n" + RecordChangeIfPreviousSql, orderId, step, "Done", at), parameters);
    }

    private static MySqlBatchCommand ChangeRow(string sql, Guid orderId, FulfillmentStep step, string status, DateTime at) => new(sql)
    {
        Parameters =
        {
            new("@MessageId", Guid.CreateVersion7()),
            new("@MessageType", typeof(OrderFulfillmentStepChanged).FullName),
            new("@Payload", JsonSerializer.Serialize(new OrderFulfillmentStepChanged(orderId, step, status, at), PayloadJson)),
            new("@At", at),
            // The trace of the consumer that reported the step (decision 0020): the console links the step to it.
            new("@TraceParent", Activity.Current?.Id),
        },
    };

    private static MySqlBatchCommand WithParameters(MySqlBatchCommand command, MySqlParameter[] parameters)
    {
        foreach (var p in parameters)
        {
            command.Parameters.Add(p);
        }
        return command;
    }
}
