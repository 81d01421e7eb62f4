using System.Data.Common;
using MySqlConnector;

namespace OrderSystem.BuildingBlocks.Database;

/// <summary>The one way modules open a connection: a pool on one database (see <see cref="Databases"/>).</summary>
public sealed class Db(MySqlDataSource dataSource, string database)
{
    /// <summary>The pool itself: two modules share a database exactly when they share this instance.</summary>
    public DbDataSource DataSource => dataSource;

    /// <summary>The database's name, never the server or credentials: safe for logs and health answers.</summary>
    public string Database { get; } = database;

    public ValueTask<MySqlConnection> OpenAsync(CancellationToken ct) => dataSource.OpenConnectionAsync(ct);

    internal static Db Create(string connectionString)
    {
        var builder = new MySqlConnectionStringBuilder(connectionString)
        {
            // Timestamps are stored as UTC; reading them back as UTC keeps API answers byte-for-byte stable.
            DateTimeKind = MySqlDateTimeKind.Utc,
            // Pooled connections are not reset on open: docs/decisions/0001-pooled-connections-not-reset.md.
            ConnectionReset = false,
        };
        return new Db(new MySqlDataSource(builder.ConnectionString), builder.Database);
    }
}
