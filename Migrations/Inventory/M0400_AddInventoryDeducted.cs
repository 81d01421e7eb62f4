using FluentMigrator;

namespace OrderSystem.Migrations.Inventory;

/// <summary>
/// What payments have taken from each product in total, kept on the same row update as the deduction (no extra write),
/// so reconciliation can check it against the quantities of paid orders.
/// </summary>
[Migration(400, "Inventory: cumulative deducted quantity per product")]
public sealed class M0400_AddInventoryDeducted : Migration
{
    public override void Up() => Execute.Sql("ALTER TABLE inventory_products ADD COLUMN deducted BIGINT NOT NULL DEFAULT 0");

    public override void Down() => Execute.Sql("ALTER TABLE inventory_products DROP COLUMN deducted");
}
