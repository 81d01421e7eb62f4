using Dapper;
using MySqlConnector;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>CHECKSUM TABLE over every table: equal before and after means the database is byte-for-byte unchanged.</summary>
internal static class DatabaseChecksum
{
    public static async Task<string> OfAsync(MySqlConnection connection)
    {
        var tables = (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name")).AsList();
        var sums = await connection.QueryAsync<(string Table, long? Checksum)>("CHECKSUM TABLE " + string.Join(", ", tables));
        return string.Join("; ", sums.Select(s => $"{s.Table}={s.Checksum}"));
    }
}
