using FluentMigrator;
using OrderSystem.Migrations.Shared;

namespace OrderSystem.Migrations.Inventory;

/// <summary>
/// Inventory consumes now (the stock of cancelled orders): an inbox, one return per cancelled order, and the cumulative
/// quantity given back per product beside the one deducted.
/// </summary>
[Migration(433, "Inventory: inbox, returns of cancelled orders, returned quantity")]
public sealed class M0433_AddInventoryReturns : Migration
{
    public override void Up()
    {
        Execute.Sql(MessageTables.Inbox("inventory_inbox"));
        Execute.Sql("""
            CREATE TABLE inventory_returns (
                order_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                attempt_id CHAR(36) CHARACTER SET ascii NOT NULL,
                created_at DATETIME(6) NOT NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql("ALTER TABLE inventory_products ADD COLUMN returned BIGINT NOT NULL DEFAULT 0");
    }

    public override void Down()
    {
        Execute.Sql("ALTER TABLE inventory_products DROP COLUMN returned");
        Execute.Sql("DROP TABLE inventory_returns, inventory_inbox");
    }
}
