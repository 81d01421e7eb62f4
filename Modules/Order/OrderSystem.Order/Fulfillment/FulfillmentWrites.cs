using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>The writes of Order's fulfillment view: one row per order and step, Done or Failed.</summary>
internal static class FulfillmentWrites
{
    // Naturally idempotent, so the consumers of completion events need no inbox: a redelivery rewrites the same row.
    // Done is final: a late failure report never downgrades it.
    private const string UpsertSql = """
        INSERT INTO order_fulfillment (order_id, step, status, at) VALUES (@OrderId, @Step, @Status, @At)
        ON DUPLICATE KEY UPDATE
            at = IF(status = 'Done', at, VALUES(at)),
            status = IF(status = 'Done', status, VALUES(status))
        """;

    // The same upsert for a module's own transaction (IFulfillmentRecorder): only when its effect row was new.
    private const string DoneIfPreviousInsertedSql = """
        INSERT INTO order_fulfillment (order_id, step, status, at)
        SELECT @OrderId, @Step, 'Done', @At FROM DUAL WHERE ROW_COUNT() = 1
        ON DUPLICATE KEY UPDATE
            at = IF(status = 'Done', at, VALUES(at)),
            status = 'Done'
        """;

    // Reports from other processes arrive four per payment: concurrent ones share a transaction and a round trip.
    private static readonly GroupCommit Writes = new();

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

    public static Task RecordAsync(Db db, Guid orderId, FulfillmentStep step, string status, DateTime at) =>
        Writes.RunAsync(db, new MySqlBatchCommand(UpsertSql)
        {
            Parameters = { new("@OrderId", orderId), new("@Step", NameOf(step)), new("@Status", status), new("@At", at) },
        });

    public static MySqlBatchCommand DoneIfPreviousInserted(Guid orderId, FulfillmentStep step, DateTime at) =>
        new(DoneIfPreviousInsertedSql)
        {
            Parameters = { new("@OrderId", orderId), new("@Step", NameOf(step)), new("@At", at) },
        };
}
