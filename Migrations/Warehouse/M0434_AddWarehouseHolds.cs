using FluentMigrator;

namespace OrderSystem.Migrations.Warehouse;

/// <summary>
/// A hold per order being (or been) cancelled: no waybill may be requested for it, and one requested meanwhile is
/// cancelled. When a shipment's waybill is cancelled, when.
/// </summary>
[Migration(434, "Warehouse: holds of cancelled orders, cancelled_at")]
public sealed class M0434_AddWarehouseHolds : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE warehouse_holds (
                order_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                created_at DATETIME(6) NOT NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql("ALTER TABLE warehouse_shipments ADD COLUMN cancelled_at DATETIME(6) NULL");
    }

    public override void Down()
    {
        Execute.Sql("ALTER TABLE warehouse_shipments DROP COLUMN cancelled_at");
        Execute.Sql("DROP TABLE warehouse_holds");
    }
}
