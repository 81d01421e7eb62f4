using FluentMigrator;

namespace OrderSystem.Migrations.Operations;

/// <summary>
/// What operators did through the console: who, what, on what, when, and how it ended. action_id is the id the
/// confirmation form carried: a second press of the same form finds its row and does nothing again.
/// </summary>
[Migration(1900, "Operations: the operator console's audit log")]
public sealed class M1900_CreateOperationsAuditLog : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE TABLE operations_audit_log (
            id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            action_id CHAR(36) CHARACTER SET ascii NOT NULL,
            operator VARCHAR(64) NOT NULL,
            action VARCHAR(64) CHARACTER SET ascii NOT NULL,
            target VARCHAR(200) NOT NULL,
            result VARCHAR(32) CHARACTER SET ascii NOT NULL,
            detail VARCHAR(1000) NULL,
            at DATETIME(6) NOT NULL,
            finished_at DATETIME(6) NULL,
            UNIQUE KEY ux_operations_audit_log_action (action_id)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
        """);

    public override void Down() => Execute.Sql("DROP TABLE operations_audit_log");
}
