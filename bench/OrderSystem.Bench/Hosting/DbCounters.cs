using Dapper;
using MySqlConnector;

namespace OrderSystem.Bench.Hosting;

/// <summary>
/// MariaDB's own counters around a run: statements, commits and redo-log fsyncs per payment say where database time goes
/// without depending on how loaded the machine is. They count the whole server, so they include the async pipeline.
/// </summary>
internal sealed record DbCounters(long Statements, long Commits, long Fsyncs, long RowLockWaits)
{
    private const string Sql = """
        SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_commit', 'Innodb_os_log_fsyncs', 'Innodb_row_lock_waits')
        """;

    public static async Task<DbCounters> ReadAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var values = (await connection.QueryAsync<(string Name, string Value)>(new CommandDefinition(Sql, cancellationToken: ct)))
            .ToDictionary(v => v.Name, v => long.Parse(v.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparer.OrdinalIgnoreCase);
        return new DbCounters(values.GetValueOrDefault("Questions"), values.GetValueOrDefault("Com_commit"),
            values.GetValueOrDefault("Innodb_os_log_fsyncs"), values.GetValueOrDefault("Innodb_row_lock_waits"));
    }

    public DbCounters Minus(DbCounters before) =>
        new(Statements - before.Statements, Commits - before.Commits, Fsyncs - before.Fsyncs, RowLockWaits - before.RowLockWaits);
}
