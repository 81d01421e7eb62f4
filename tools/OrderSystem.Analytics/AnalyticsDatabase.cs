using Dapper;
using MySqlConnector;

namespace OrderSystem.Analytics;

/// <summary>
/// The reporting database of its own, and its user: privileges on this database only, so nothing it runs can read the
/// order tables. Set up once by an administrator's connection; the consumer then connects as that user.
/// </summary>
internal static class AnalyticsDatabase
{
    private static readonly string[] Schema =
    [
        """
        CREATE TABLE IF NOT EXISTS analytics_position (
            id TINYINT NOT NULL PRIMARY KEY, stream_offset BIGINT NOT NULL, sequence BIGINT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS analytics_orders (
            order_id CHAR(36) CHARACTER SET ascii NOT NULL PRIMARY KEY, version INT NOT NULL, status VARCHAR(16) NOT NULL,
            total_amount DECIMAL(14,2) NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS analytics_hourly_revenue (
            hour DATETIME NOT NULL PRIMARY KEY, orders_paid INT NOT NULL, revenue DECIMAL(16,2) NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS analytics_sku_sales (
            sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY, units BIGINT NOT NULL, revenue DECIMAL(16,2) NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS analytics_refunds (
            order_id CHAR(36) CHARACTER SET ascii NOT NULL, payment_id VARCHAR(64) CHARACTER SET ascii NOT NULL,
            amount DECIMAL(14,2) NOT NULL, reason VARCHAR(64) NOT NULL, state VARCHAR(32) NOT NULL, PRIMARY KEY (order_id, payment_id))
        """,
    ];

    /// <summary>Creates the database, the user (password given) with rights on it alone, and the tables.</summary>
    public static async Task SetUpAsync(string adminConnectionString, string database, string user, string password)
    {
        if (!IsPlainName(database) || !IsPlainName(user))
        {
            throw new ArgumentException("The database and user names must be letters, digits and underscores.");
        }
        await using var admin = new MySqlConnection(new MySqlConnectionStringBuilder(adminConnectionString) { Database = "" }.ConnectionString);
        await admin.OpenAsync();
        // Identifiers cannot be parameters; both were checked to be plain names above. The password is a parameter.
        await admin.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        foreach (var host in new[] { "%", "localhost", "127.0.0.1" })
        {
            await admin.ExecuteAsync($"CREATE USER IF NOT EXISTS '{user}'@'{host}' IDENTIFIED BY @Password", new { Password = password });
            await admin.ExecuteAsync($"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'{host}'");
        }
        await using var own = new MySqlConnection(new MySqlConnectionStringBuilder(adminConnectionString) { Database = database }.ConnectionString);
        await own.OpenAsync();
        foreach (var table in Schema)
        {
            await own.ExecuteAsync(table);
        }
    }

    private static bool IsPlainName(string name) => name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
