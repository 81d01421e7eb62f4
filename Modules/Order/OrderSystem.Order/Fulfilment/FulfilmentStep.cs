using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;

namespace OrderSystem.Order.Fulfilment;

internal static class FulfilmentStep
{
    public const string Points = "points";
    public const string Coupon = "coupon";
    public const string Sms = "sms";
    public const string Shipment = "shipment";

    // Naturally idempotent, so these consumers need no inbox: a redelivery rewrites the same row.
    // Done is final: a late failure report never downgrades it.
    private const string UpsertSql = """
        INSERT INTO order_fulfilment (order_id, step, status, at) VALUES (@OrderId, @Step, @Status, @At)
        ON DUPLICATE KEY UPDATE
            at = IF(status = 'Done', at, VALUES(at)),
            status = IF(status = 'Done', status, VALUES(status))
        """;

    // Four reports per payment: concurrent ones share a transaction and a round trip.
    private static readonly GroupCommit Writes = new();

    public static Task RecordAsync(Db db, Guid orderId, string step, string status, DateTime at) =>
        Writes.RunAsync(db, new MySqlBatchCommand(UpsertSql)
        {
            Parameters = { new("@OrderId", orderId), new("@Step", step), new("@Status", status), new("@At", at) },
        });
}
