using MySqlConnector;

namespace OrderSystem.Feed;

/// <summary>The sequencer's own connection to the feed's database: not pooled, so its named lock ends with it.</summary>
internal sealed class FeedConnection(string connectionString)
{
    private readonly string _connectionString = new MySqlConnectionStringBuilder(connectionString)
    {
        Pooling = false,
        DateTimeKind = MySqlDateTimeKind.Utc,
    }.ConnectionString;

    /// <summary>One lock per feed database: test systems on one server each have their own sequencer.</summary>
    public string LockName { get; } = Truncate("ordersystem.feed." + new MySqlConnectionStringBuilder(connectionString).Database);

    public async Task<MySqlConnection> OpenUnpooledAsync(CancellationToken ct)
    {
        var connection = new MySqlConnection(_connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static string Truncate(string name) => name.Length > 64 ? name[..64] : name; // GET_LOCK's limit
}
