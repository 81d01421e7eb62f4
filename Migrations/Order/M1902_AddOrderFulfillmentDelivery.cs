using FluentMigrator;

namespace OrderSystem.Migrations.Order;

/// <summary>
/// A fulfillment step's delivery, for the operator console's journey: how many attempts the module's consumer took and
/// the id of the message it consumed. Written by the upsert that already records the step; null on older rows.
/// INSTANT: no table rebuild, however many orders.
/// </summary>
[Migration(1902, "Order: attempts and consumed message id of each fulfillment step")]
public sealed class M1902_AddOrderFulfillmentDelivery : Migration
{
    public override void Up() => Execute.Sql("""
        ALTER TABLE order_fulfillment
            ADD COLUMN attempts INT NULL,
            ADD COLUMN message_id CHAR(36) CHARACTER SET ascii NULL,
            ALGORITHM=INSTANT
        """);

    public override void Down() => Execute.Sql("ALTER TABLE order_fulfillment DROP COLUMN message_id, DROP COLUMN attempts");
}
