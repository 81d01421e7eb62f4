using FluentMigrator;

namespace OrderSystem.Migrations.Points;

/// <summary>
/// One reversal per cancelled order: what it had granted, what was taken back from the balance, and the debt (the rest,
/// when the balance held less). Its row also stops a late OrderPaid from granting anything.
/// </summary>
[Migration(431, "Points: reversals of cancelled orders")]
public sealed class M0431_CreatePointsReversals : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE TABLE points_reversals (
            order_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
            user_id VARCHAR(64) NOT NULL,
            granted INT NOT NULL,
            taken INT NOT NULL,
            debt INT NOT NULL,
            created_at DATETIME(6) NOT NULL,
            KEY ix_points_reversals_user (user_id)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
        """);

    public override void Down() => Execute.Sql("DROP TABLE points_reversals");
}
