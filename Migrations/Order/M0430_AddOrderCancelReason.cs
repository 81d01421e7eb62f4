using FluentMigrator;

namespace OrderSystem.Migrations.Order;

/// <summary>
/// Why a buyer or an operator cancelled an order. Null for an order cancelled by the system (stock short at payment), so a
/// repeated cancellation can tell its own earlier answer from an order it may not cancel.
/// </summary>
[Migration(430, "Order: cancel_reason")]
public sealed class M0430_AddOrderCancelReason : Migration
{
    public override void Up() => Execute.Sql("ALTER TABLE order_orders ADD COLUMN cancel_reason VARCHAR(200) NULL");

    public override void Down() => Execute.Sql("ALTER TABLE order_orders DROP COLUMN cancel_reason");
}
