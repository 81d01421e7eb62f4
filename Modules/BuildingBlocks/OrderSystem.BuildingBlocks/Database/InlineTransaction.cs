using MySqlConnector;

namespace OrderSystem.BuildingBlocks.Database;

/// <summary>
/// A transaction driven by SQL inside the caller's own batches: START TRANSACTION rides in the first batch and COMMIT in
/// the last, instead of a MySqlTransaction's two extra round trips (BEGIN, which also re-sends the isolation level, and
/// COMMIT). For the hot paths that run several times per payment. Because pooled connections are not reset (see
/// <see cref="Db"/>), every way out must end the transaction: the methods here roll back before a failure goes on.
/// </summary>
public static class InlineTransaction
{
    public static MySqlBatchCommand Start() => new("START TRANSACTION");

    public static MySqlBatchCommand Commit() => new("COMMIT");

    /// <summary>Runs a batch that starts (and perhaps commits) the transaction. Returns the batch's total of changed rows.</summary>
    public static async Task<int> ExecuteAsync(MySqlBatch batch, CancellationToken ct)
    {
        try
        {
            return await batch.ExecuteNonQueryAsync(ct);
        }
        catch
        {
            await RollBackQuietlyAsync(batch.Connection!);
            throw;
        }
    }

    /// <summary>Ends the transaction a batch started: COMMIT or ROLLBACK.</summary>
    public static async Task EndAsync(MySqlConnection connection, bool commit, CancellationToken ct)
    {
        try
        {
            await RunAsync(connection, commit ? "COMMIT" : "ROLLBACK", ct);
        }
        catch
        {
            await RollBackQuietlyAsync(connection);
            throw;
        }
    }

    /// <summary>Ends whatever transaction a failure left open, without masking the failure itself.</summary>
    public static async Task RollBackQuietlyAsync(MySqlConnection connection)
    {
        try
        {
            await RunAsync(connection, "ROLLBACK", CancellationToken.None);
        }
        catch (Exception)
        {
            // The connection is broken, and a broken connection is not returned to the pool: nothing is left open.
        }
    }

    private static async Task RunAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
