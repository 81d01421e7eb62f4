using FluentMigrator;
using OrderSystem.Migrations.Shared;

namespace OrderSystem.Migrations.Marketing;

[Migration(4, "Marketing: one coupon per paid order, inbox and outbox")]
public sealed class M0004_CreateMarketingTables : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE marketing_coupons (
                coupon_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                order_id CHAR(36) CHARACTER SET ascii NOT NULL,
                user_id VARCHAR(64) NOT NULL,
                code VARCHAR(16) CHARACTER SET ascii NOT NULL,
                value DECIMAL(12,2) NOT NULL,
                issued_at DATETIME(6) NOT NULL,
                UNIQUE KEY ux_marketing_coupons_order (order_id),
                KEY ix_marketing_coupons_user (user_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql(MessageTables.Inbox("marketing_inbox"));
        Execute.Sql(MessageTables.Outbox("marketing_outbox"));
    }

    public override void Down() => Execute.Sql("DROP TABLE marketing_outbox, marketing_inbox, marketing_coupons");
}
