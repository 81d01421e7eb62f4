using FluentMigrator;
using OrderSystem.Migrations.Shared;

namespace OrderSystem.Migrations.Refunds;

[Migration(420, "Refunds: the refund state machine, each refunded payment's capture, inbox (webhooks) and outbox")]
public sealed class M0420_CreateRefundsTables : Migration
{
    public override void Up()
    {
        // The database itself refuses refunds above what a payment captured: refunded counts every refund that can
        // still move money (a Closed one gives its amount back).
        Execute.Sql("""
            CREATE TABLE refunds_payments (
                payment_id VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                order_id CHAR(36) CHARACTER SET ascii NOT NULL,
                captured DECIMAL(14,2) NOT NULL,
                refunded DECIMAL(14,2) NOT NULL,
                CONSTRAINT ck_refunds_payments_within_capture CHECK (refunded >= 0 AND refunded <= captured)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql("""
            CREATE TABLE refunds_refunds (
                refund_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                payment_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
                order_id CHAR(36) CHARACTER SET ascii NOT NULL,
                amount DECIMAL(14,2) NOT NULL,
                reason VARCHAR(32) CHARACTER SET ascii NOT NULL,
                status VARCHAR(16) CHARACTER SET ascii NOT NULL,
                requested_at DATETIME(6) NOT NULL,
                completed_at DATETIME(6) NULL,
                next_attempt_at DATETIME(6) NOT NULL,
                attempts INT NOT NULL DEFAULT 0,
                last_error VARCHAR(1000) NULL,
                note VARCHAR(1000) NULL,
                reissued_from CHAR(36) CHARACTER SET ascii NULL,
                reissued_as CHAR(36) CHARACTER SET ascii NULL,
                KEY ix_refunds_refunds_order (order_id),
                KEY ix_refunds_refunds_payment (payment_id),
                KEY ix_refunds_refunds_due (status, next_attempt_at),
                CONSTRAINT ck_refunds_refunds_amount CHECK (amount > 0)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql(MessageTables.Inbox("refunds_inbox"));
        Execute.Sql(MessageTables.Outbox("refunds_outbox"));
    }

    public override void Down() => Execute.Sql("DROP TABLE refunds_outbox, refunds_inbox, refunds_refunds, refunds_payments");
}
