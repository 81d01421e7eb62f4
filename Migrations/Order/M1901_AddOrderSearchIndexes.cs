using FluentMigrator;

namespace OrderSystem.Migrations.Order;

/// <summary>The operator console finds orders by user and by payment id: an index each, so no search scans the table.</summary>
[Migration(1901, "Order: user and payment indexes for the operator console's search")]
public sealed class M1901_AddOrderSearchIndexes : Migration
{
    public override void Up() => Execute.Sql(
        "ALTER TABLE order_orders ADD INDEX ix_order_orders_user (user_id, created_at), ADD INDEX ix_order_orders_payment (payment_id)");

    public override void Down() => Execute.Sql("ALTER TABLE order_orders DROP INDEX ix_order_orders_payment, DROP INDEX ix_order_orders_user");
}
