using FluentMigrator;
using OrderSystem.Migrations.Shared;

namespace OrderSystem.Migrations.Warehouse;

[Migration(6, "Warehouse: one shipment per paid order, inbox and outbox")]
public sealed class M0006_CreateWarehouseTables : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE warehouse_shipments (
                shipment_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                order_id CHAR(36) CHARACTER SET ascii NOT NULL,
                status VARCHAR(16) CHARACTER SET ascii NOT NULL,
                tracking_number VARCHAR(32) CHARACTER SET ascii NOT NULL,
                created_at DATETIME(6) NOT NULL,
                UNIQUE KEY ux_warehouse_shipments_order (order_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql(MessageTables.Inbox("warehouse_inbox"));
        Execute.Sql(MessageTables.Outbox("warehouse_outbox"));
    }

    public override void Down() => Execute.Sql("DROP TABLE warehouse_outbox, warehouse_inbox, warehouse_shipments");
}
