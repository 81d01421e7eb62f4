using FluentMigrator;
using OrderSystem.Migrations.Shared;

namespace OrderSystem.Migrations.Push;

[Migration(5, "Push: one payment SMS per paid order, inbox and outbox")]
public sealed class M0005_CreatePushTables : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE push_sms (
                order_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                user_id VARCHAR(64) NOT NULL,
                text VARCHAR(500) NOT NULL,
                status VARCHAR(16) CHARACTER SET ascii NOT NULL,
                sent_at DATETIME(6) NOT NULL,
                KEY ix_push_sms_user (user_id)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql(MessageTables.Inbox("push_inbox"));
        Execute.Sql(MessageTables.Outbox("push_outbox"));
    }

    public override void Down() => Execute.Sql("DROP TABLE push_outbox, push_inbox, push_sms");
}
