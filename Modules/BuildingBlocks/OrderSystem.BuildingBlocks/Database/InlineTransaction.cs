using MySqlConnector;

namespace OrderSystem.BuildingBlocks.Database;

/// <summary>
/// A transaction driven by SQL inside the caller's own batches: START TRANSACTION rides in the batch's first command,
/// instead of a MySqlTransaction's extra round trip (BEGIN, which also re-sends the isolation level). For the hot paths
/// that run several times per payment. Because pooled connections are not reset (see <see cref="Db"/>), every way out
/// must end the transaction: the methods here roll back before a failure goes on.
/// COMMIT never rides in the batch; it is sent once every statement's result has come back (decision 0034). MariaDB
/// runs a batch to its end even when the client is gone, and the statement after the first result it cannot send reads
/// ROW_COUNT() as -1: an insert chained on the statement before it (an outbox row, a refund, a fulfillment report)
/// silently writes nothing, and a COMMIT in the batch would commit the half. A client that dies sends no COMMIT.
/// </summary>
public static class InlineTransaction
{
    public static MySqlBatchCommand Start() => new("START TRANSACTION");

    /// <summary>Runs a batch that starts the transaction. Returns the batch's total of changed rows.</summary>
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

    /// <summary>Runs a batch that starts the transaction, then commits it in a round trip of its own.</summary>
    public static async Task ExecuteAndCommitAsync(MySqlBatch batch, CancellationToken ct)
    {
        await ExecuteAsync(batch, ct);
        await EndAsync(batch.Connection!, commit: true, ct);
    }

    /// <summary>
    /// Runs a batch that starts the transaction, then commits it in a round trip of its own if the batch changed exactly
    /// <paramref name="expectedRows"/> rows, else rolls it back. True when it committed.
    /// </summary>
    public static async Task<bool> ExecuteAndCommitIfAsync(MySqlBatch batch, int expectedRows, CancellationToken ct)
    {
        var applied = await ExecuteAsync(batch, ct) == expectedRows;
        await EndAsync(batch.Connection!, applied, ct);
        return applied;
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
