using FluentMigrator;

namespace OrderSystem.Migrations.Inventory;

[Migration(1, "Inventory: products with price and available stock")]
public sealed class M0001_CreateInventoryTables : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE TABLE inventory_products (
            sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
            name VARCHAR(200) NOT NULL,
            price DECIMAL(12,2) NOT NULL,
            available INT NOT NULL,
            updated_at DATETIME(6) NOT NULL,
            CONSTRAINT ck_inventory_products_available CHECK (available >= 0)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
        """);

    public override void Down() => Execute.Sql("DROP TABLE inventory_products");
}
