using FluentMigrator;

namespace OrderSystem.Migrations.Order;

/// <summary>
/// The refund changes Order has taken from Refunds' RefundChanged, by refund and version: a change is recorded into
/// Order's outbox (for the feed) once every earlier version of its refund is, and waits here until then. A row per
/// change, kept like the inbox's row per message; the second key serves the audit's look for changes still waiting.
/// </summary>
[Migration(2002, "Order: refund changes held until they can be recorded in Refunds' order")]
public sealed class M2002_CreateOrderRefundChanges : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE TABLE order_refund_changes (
            refund_id CHAR(36) CHARACTER SET ascii NOT NULL,
            version INT NOT NULL,
            order_id CHAR(36) CHARACTER SET ascii NOT NULL,
            payment_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
            amount DECIMAL(14,2) NOT NULL,
            reason VARCHAR(32) CHARACTER SET ascii NOT NULL,
            status VARCHAR(16) CHARACTER SET ascii NOT NULL,
            occurred_at DATETIME(6) NOT NULL,
            recorded BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (refund_id, version),
            KEY ix_order_refund_changes_held (recorded, occurred_at)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
        """);

    public override void Down() => Execute.Sql("DROP TABLE order_refund_changes");
}
