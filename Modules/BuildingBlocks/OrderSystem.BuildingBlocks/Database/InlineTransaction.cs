using MySqlConnector;

namespace OrderSystem.BuildingBlocks.Database;

/// <summary>
/// A transaction driven by SQL inside the caller's own batches: START TRANSACTION rides in the first batch and COMMIT in
/// the last, instead of a MySqlTransaction's two extra round trips (BEGIN, which also re-sends the isolation level, and
/// COMMIT). For the hot paths that run several times per payment. Because pooled connections are not reset (see
/// <see cref="Db"/>), every way out must end the transaction: callers roll back in a catch with
/// <see cref="RollBackQuietlyAsync"/>.
/// </summary>
public static class InlineTransaction
{
    public static MySqlBatchCommand Start() => new("START TRANSACTION");

    public static MySqlBatchCommand Commit() => new("COMMIT");

    public static Task CommitAsync(MySqlConnection connection, CancellationToken ct) => ExecuteAsync(connection, "COMMIT", ct);

    public static Task RollBackAsync(MySqlConnection connection, CancellationToken ct) => ExecuteAsync(connection, "ROLLBACK", ct);

    /// <summary>Ends whatever transaction a failure left open, without masking the failure itself.</summary>
    public static async Task RollBackQuietlyAsync(MySqlConnection connection)
    {
        try
        {
            await ExecuteAsync(connection, "ROLLBACK", CancellationToken.None);
        }
        catch (Exception)
        {
            // The connection is broken, and a broken connection is not returned to the pool: nothing is left open.
        }
    }

    private static async Task ExecuteAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
