using FluentMigrator;
using OrderSystem.Migrations.Shared;

namespace OrderSystem.Migrations.Order;

[Migration(2, "Order: orders, their lines, the fulfilment view and the outbox")]
public sealed class M0002_CreateOrderTables : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE order_orders (
                id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                user_id VARCHAR(64) NOT NULL,
                status VARCHAR(16) CHARACTER SET ascii NOT NULL,
                total_amount DECIMAL(14,2) NOT NULL,
                payment_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
                created_at DATETIME(6) NOT NULL,
                paid_at DATETIME(6) NULL,
                cancelled_at DATETIME(6) NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql("""
            CREATE TABLE order_items (
                order_id CHAR(36) CHARACTER SET ascii NOT NULL,
                sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                quantity INT NOT NULL,
                unit_price DECIMAL(12,2) NOT NULL,
                PRIMARY KEY (order_id, sku)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql("""
            CREATE TABLE order_fulfilment (
                order_id CHAR(36) CHARACTER SET ascii NOT NULL,
                step VARCHAR(16) CHARACTER SET ascii NOT NULL,
                status VARCHAR(16) CHARACTER SET ascii NOT NULL,
                at DATETIME(6) NOT NULL,
                PRIMARY KEY (order_id, step)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql(MessageTables.Outbox("order_outbox"));
    }

    public override void Down() => Execute.Sql("DROP TABLE order_outbox, order_fulfilment, order_items, order_orders");
}
