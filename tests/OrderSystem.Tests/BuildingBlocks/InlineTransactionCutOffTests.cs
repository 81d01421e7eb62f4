using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>
/// A batch whose client is cut off while the server is still running it (a host SIGKILLed, a network that drops). MariaDB
/// runs the batch to its end anyway, and a statement run after its client is gone can read ROW_COUNT() as -1, so an
/// insert chained on the statement before it writes nothing. <see cref="InlineTransaction"/> therefore never sends
/// COMMIT in the batch (decision 0034): the first test shows what a COMMIT in the batch would do, the second that the
/// product's way commits nothing.
/// </summary>
[NonParallelizable] // reads the server's process list
public sealed class InlineTransactionCutOffTests : ScratchTableTest
{
    private const int Chain = 10;

    protected override string Table => "test_cut_off";

    protected override string Columns => "id INT PRIMARY KEY";

    [Test]
    public async Task With_COMMIT_in_the_batch_a_client_cut_off_mid_batch_commits_a_broken_chain()
    {
        var committed = await CutOffMidBatchAsync(batch =>
        {
            batch.BatchCommands.Add(new MySqlBatchCommand("COMMIT"));
            return batch.ExecuteNonQueryAsync(CancellationToken.None);
        });

        Assert.That(committed, Is.InRange(1, Chain - 1), "the server committed without its client, and a chained insert read ROW_COUNT() wrong");
    }

    [Test]
    public async Task Through_InlineTransaction_a_client_cut_off_mid_batch_commits_nothing()
    {
        var committed = await CutOffMidBatchAsync(batch => InlineTransaction.ExecuteAndCommitAsync(batch, CancellationToken.None));

        Assert.That(committed, Is.Zero, "no COMMIT came from the client, so the server rolled the batch back");
    }

    /// <summary>
    /// Runs START TRANSACTION, an insert that takes two seconds (time enough to see it running on a busy machine), then a
    /// chain of inserts each written only when the one before it wrote a row, through a relay that is cut during the first
    /// insert. Returns the rows committed once the server has finished with the connection.
    /// </summary>
    private async Task<int> CutOffMidBatchAsync(Func<MySqlBatch, Task> run)
    {
        var direct = new MySqlConnectionStringBuilder(TestSettings.ConnectionString(System.Database));
        await using var proxy = new CuttableTcpProxy(direct.Server, (int)direct.Port);
        var relayed = new MySqlConnectionStringBuilder(direct.ConnectionString) { Server = "127.0.0.1", Port = (uint)proxy.Port, Pooling = false };
        await using var connection = new MySqlConnection(relayed.ConnectionString);
        await connection.OpenAsync();
        var connectionId = await connection.ExecuteScalarAsync<long>("SELECT CONNECTION_ID()");
        await using var batch = new MySqlBatch(connection)
        {
            BatchCommands = { InlineTransaction.Start(), new MySqlBatchCommand($"INSERT INTO {Table} SELECT 1 FROM DUAL WHERE SLEEP(2) = 0") },
        };
        for (var id = 2; id <= Chain; id++)
        {
            batch.BatchCommands.Add(new MySqlBatchCommand($"INSERT INTO {Table} SELECT {id} FROM DUAL WHERE ROW_COUNT() = 1"));
        }

        var running = run(batch);
        await Eventually.Until(() => StateOfAsync(connectionId), state => state == "User sleep", TimeSpan.FromSeconds(10), "the batch to reach its pause");
        proxy.CutAll();

        Assert.That(async () => await running, Throws.Exception,
            "the client lost its connection");
        await Eventually.Until(() => StateOfAsync(connectionId), state => state is null, TimeSpan.FromSeconds(10), "the server to finish with the connection");
        await using var check = await System.OpenAsync();
        return await check.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {Table}");
    }

    private static async Task<string?> StateOfAsync(long connectionId)
    {
        await using var connection = await System.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT COALESCE(STATE, '') FROM information_schema.PROCESSLIST WHERE ID = @Id", new { Id = connectionId });
    }
}
