using FluentMigrator;
using OrderSystem.Migrations.Shared;

namespace OrderSystem.Migrations.FlashSales;

/// <summary>
/// Flash sales: each sale (its units were taken from the product's stock when it was defined), each admitted ticket once
/// written (its order id is the ticket id), each unit given back after its order lapsed, and an inbox.
/// </summary>
[Migration(1700, "FlashSales: sales, tickets, returns and the inbox")]
public sealed class M1700_CreateFlashSalesTables : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE flashsales_sales (
                id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
                sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                units INT NOT NULL,
                price DECIMAL(12,2) NOT NULL,
                starts_at DATETIME(6) NOT NULL,
                ends_at DATETIME(6) NOT NULL,
                per_user_limit INT NOT NULL,
                created_at DATETIME(6) NOT NULL,
                closed_at DATETIME(6) NULL,
                units_left_at_close INT NULL,
                KEY ix_flashsales_sales_open (closed_at, ends_at)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql("""
            CREATE TABLE flashsales_tickets (
                ticket_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                sale_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                user_id VARCHAR(64) NOT NULL,
                quantity INT NOT NULL,
                status VARCHAR(16) CHARACTER SET ascii NOT NULL,
                reason VARCHAR(200) NULL,
                attempt_id CHAR(36) CHARACTER SET ascii NOT NULL,
                admitted_at DATETIME(6) NOT NULL,
                written_at DATETIME(6) NOT NULL,
                KEY ix_flashsales_tickets_sale (sale_id, status),
                KEY ix_flashsales_tickets_attempt (attempt_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql("""
            CREATE TABLE flashsales_returns (
                order_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                sale_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
                quantity INT NOT NULL,
                returned_to VARCHAR(16) CHARACTER SET ascii NOT NULL,
                attempt_id CHAR(36) CHARACTER SET ascii NOT NULL,
                created_at DATETIME(6) NOT NULL,
                KEY ix_flashsales_returns_sale (sale_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql(MessageTables.Inbox("flashsales_inbox"));
    }

    public override void Down() => Execute.Sql("DROP TABLE flashsales_inbox, flashsales_returns, flashsales_tickets, flashsales_sales");
}
