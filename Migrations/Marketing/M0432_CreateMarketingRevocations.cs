using FluentMigrator;

namespace OrderSystem.Migrations.Marketing;

/// <summary>One revocation per cancelled order: its coupon, issued or not yet, is void.</summary>
[Migration(432, "Marketing: coupon revocations of cancelled orders")]
public sealed class M0432_CreateMarketingRevocations : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE TABLE marketing_revocations (
            order_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
            user_id VARCHAR(64) NOT NULL,
            created_at DATETIME(6) NOT NULL
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
        """);

    public override void Down() => Execute.Sql("DROP TABLE marketing_revocations");
}
