using FluentMigrator;

namespace OrderSystem.Migrations.Order;

/// <summary>
/// An order whose stock was reserved before it was placed (a flash sale's): its payment deducts from the reservation,
/// so it cannot fail for stock.
/// </summary>
[Migration(1701, "Order: stock_reserved")]
public sealed class M1701_AddOrderStockReserved : Migration
{
    public override void Up() => Execute.Sql("ALTER TABLE order_orders ADD COLUMN stock_reserved TINYINT(1) NOT NULL DEFAULT 0");

    public override void Down() => Execute.Sql("ALTER TABLE order_orders DROP COLUMN stock_reserved");
}
