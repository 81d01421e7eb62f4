using FluentMigrator;

namespace OrderSystem.Migrations.Order;

/// <summary>
/// Every order's payment window. The index (status, expires_at) is the expiry timer: the closer reads only the due rows
/// of Created orders from it, and paying an order takes it out of the range by its status change alone.
/// Orders created before this migration get the default 30-minute window from their creation.
/// </summary>
[Migration(402, "Order: expires_at, expired_at and the due index")]
public sealed class M0402_AddOrderPaymentWindow : Migration
{
    public override void Up()
    {
        Execute.Sql("ALTER TABLE order_orders ADD COLUMN expires_at DATETIME(6) NULL, ADD COLUMN expired_at DATETIME(6) NULL");
        Execute.Sql("UPDATE order_orders SET expires_at = created_at + INTERVAL 1800 SECOND");
        Execute.Sql("ALTER TABLE order_orders MODIFY expires_at DATETIME(6) NOT NULL, ADD INDEX ix_order_orders_due (status, expires_at)");
    }

    public override void Down() =>
        Execute.Sql("ALTER TABLE order_orders DROP INDEX ix_order_orders_due, DROP COLUMN expired_at, DROP COLUMN expires_at");
}
