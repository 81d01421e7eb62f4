namespace OrderSystem.Migrations.Shared;

/// <summary>
/// The outbox and inbox shapes every module gets a copy of, under its own prefix. Landed migrations call these,
/// so never change them: add a new migration that alters the tables instead.
/// </summary>
internal static class MessageTables
{
    // No index beyond the pending one the relay needs: every payment inserts here.
    public static string Outbox(string table) => $"""
        CREATE TABLE {table} (
            id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
            message_id CHAR(36) CHARACTER SET ascii NOT NULL,
            message_type VARCHAR(200) CHARACTER SET ascii NOT NULL,
            payload LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
            trace_parent VARCHAR(64) CHARACTER SET ascii NULL,
            created_at DATETIME(6) NOT NULL,
            dispatched_at DATETIME(6) NULL,
            attempts INT NOT NULL DEFAULT 0,
            last_error VARCHAR(1000) NULL,
            KEY ix_{table}_pending (dispatched_at, id)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
        """;

    public static string Inbox(string table) => $"""
        CREATE TABLE {table} (
            message_id CHAR(36) CHARACTER SET ascii NOT NULL,
            consumer VARCHAR(100) CHARACTER SET ascii NOT NULL,
            processed_at DATETIME(6) NOT NULL,
            PRIMARY KEY (message_id, consumer),
            KEY ix_{table}_processed_at (processed_at)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
        """;
}
