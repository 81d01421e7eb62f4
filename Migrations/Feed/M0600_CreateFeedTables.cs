using FluentMigrator;

namespace OrderSystem.Migrations.Feed;

/// <summary>
/// The order feed: the sequenced events (the stream is published from here, and re-published from here after a crash),
/// each order's state and version as the feed has carried it forward (the bootstrap snapshot reads it), and the cursor:
/// how far Order's change log has been sequenced and how far the stream has been confirmed.
/// </summary>
[Migration(600, "Feed: events, order states, cursor")]
public sealed class M0600_CreateFeedTables : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            CREATE TABLE feed_events (
                sequence BIGINT NOT NULL PRIMARY KEY,
                order_id CHAR(36) CHARACTER SET ascii NOT NULL,
                version INT NOT NULL,
                type VARCHAR(32) CHARACTER SET ascii NOT NULL,
                occurred_at DATETIME(6) NOT NULL,
                source_position BIGINT NOT NULL,
                body LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
                sequenced_at DATETIME(6) NOT NULL,
                UNIQUE KEY ux_feed_events_order_version (order_id, version),
                KEY ix_feed_events_sequenced_at (sequenced_at)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql("""
            CREATE TABLE feed_orders (
                order_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY,
                version INT NOT NULL,
                sequence BIGINT NOT NULL,
                state LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
        Execute.Sql("""
            CREATE TABLE feed_cursor (
                id TINYINT NOT NULL PRIMARY KEY,
                source_position BIGINT NOT NULL,
                last_sequence BIGINT NOT NULL,
                published_sequence BIGINT NOT NULL
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
            """);
    }

    public override void Down() => Execute.Sql("DROP TABLE feed_cursor, feed_orders, feed_events");
}
