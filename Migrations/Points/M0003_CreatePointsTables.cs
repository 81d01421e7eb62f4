using FluentMigrator;
using OrderSystem.Migrations.Shared;

namespace OrderSystem.Migrations.Points;

[Migration(3, "Points: one entry per paid order, inbox and outbox")]
public sealed class M0003_CreatePointsTables : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE points_entries (
                order_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                user_id VARCHAR(64) NOT NULL,
                points INT NOT NULL,
                created_at DATETIME(6) NOT NULL,
                KEY ix_points_entries_user (user_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql(MessageTables.Inbox("points_inbox"));
        Execute.Sql(MessageTables.Outbox("points_outbox"));
    }

    public override void Down() => Execute.Sql("DROP TABLE points_outbox, points_inbox, points_entries");
}
