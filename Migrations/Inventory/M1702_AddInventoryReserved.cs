using FluentMigrator;

namespace OrderSystem.Migrations.Inventory;

/// <summary>
/// Stock set aside for flash sales: taken from available when a sale is defined, deducted when one of its orders is paid,
/// given back to available when a unit lapses after the sale or the sale ends with units left.
/// </summary>
[Migration(1702, "Inventory: reserved stock")]
public sealed class M1702_AddInventoryReserved : Migration
{
    public override void Up() => Execute.Sql(
        "ALTER TABLE inventory_products ADD COLUMN reserved INT NOT NULL DEFAULT 0, " +
        "ADD CONSTRAINT ck_inventory_products_reserved CHECK (reserved >= 0)");

    public override void Down() =>
        Execute.Sql("ALTER TABLE inventory_products DROP CONSTRAINT ck_inventory_products_reserved, DROP COLUMN reserved");
}
