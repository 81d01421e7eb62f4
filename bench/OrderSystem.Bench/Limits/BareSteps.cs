using MySqlConnector;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Limits;

/// <summary>
/// The fulfilling modules' database floor: the four steps' inbox records and effect rows of each payment (one row each,
/// nothing else: no outbox, no fulfillment view, no read), <see cref="PaymentsPerTransaction"/> payments in one
/// transaction and one round trip, as the group commit joins them under load. Straight through MySqlConnector at the
/// buyers' concurrency, like the bare transaction; with the product's transaction and the raw broker it makes the
/// design's floor (finding 32 of docs/performance.md). Each operation the run counts is one such transaction.
/// </summary>
internal static class BareSteps
{
    private static readonly string[] Inboxes = ["points_inbox", "marketing_inbox", "push_inbox", "warehouse_inbox"];

    private const string EffectSql = """
        INSERT IGNORE INTO points_entries (order_id, user_id, points, created_at) VALUES (@OrderId, 'bare-steps', 1, UTC_TIMESTAMP(6))
        """;

    /// <summary>Four payments' steps a transaction: 0.57 ms of CPU per payment here, against 0.76 ms with one (finding 32).</summary>
    public const int PaymentsPerTransaction = 4;

    public static async Task<LoadResult> RunAsync(string connectionString, int count, int concurrency, TimeSpan duration, CancellationToken ct)
    {
        using var dataSource = new MySqlDataSource(new MySqlConnectionStringBuilder(connectionString) { ConnectionReset = false }.ConnectionString);
        var transactions = Enumerable.Range(0, count / PaymentsPerTransaction).ToList();
        return await LoadRun.RunAsync("bare steps", transactions, concurrency, duration, null, async (_, token) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(token);
            await using var batch = new MySqlBatch(connection);
            batch.BatchCommands.Add(new MySqlBatchCommand("START TRANSACTION"));
            foreach (var inbox in Enumerable.Range(0, PaymentsPerTransaction).SelectMany(_ => Inboxes))
            {
                var messageId = Guid.NewGuid();
                batch.BatchCommands.Add(new MySqlBatchCommand(
                    $"INSERT IGNORE INTO {inbox} (message_id, consumer, processed_at) VALUES (@MessageId, 'BareSteps', UTC_TIMESTAMP(6))")
                {
                    Parameters = { new("@MessageId", messageId) },
                });
                batch.BatchCommands.Add(new MySqlBatchCommand(EffectSql) { Parameters = { new("@OrderId", Guid.NewGuid()) } });
            }
            batch.BatchCommands.Add(new MySqlBatchCommand("COMMIT"));
            return await batch.ExecuteNonQueryAsync(token) == 2 * Inboxes.Length * PaymentsPerTransaction;
        }, ct);
    }
}
