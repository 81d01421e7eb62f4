using System.Text.Json;
using Dapper;
using MySqlConnector;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Bench.Outbox;

/// <summary>
/// The relay's capacity: a backlog of OrderPaid rows is committed into Order's outbox at once, then the relay is woken by
/// one real payment and drains them. The rate is rows / (last dispatched_at - the wake-up payment's paid_at), both host
/// timestamps. The consuming modules handle the messages meanwhile, as they would in production.
/// </summary>
internal static class RelayDrain
{
    private const string InsertSql = """
        INSERT INTO order_outbox (message_id, message_type, payload, created_at) VALUES (@MessageId, @MessageType, @Payload, UTC_TIMESTAMP(6))
        """;

    private const string PendingSql = "SELECT COUNT(*) FROM order_outbox WHERE dispatched_at IS NULL";

    private const string LastDispatchedSql = "SELECT MAX(dispatched_at) FROM order_outbox";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task FillAsync(string connectionString, int rows, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var type = typeof(OrderPaid).FullName!;
        var now = DateTime.UtcNow;
        for (var start = 0; start < rows; start += 1000)
        {
            var chunk = Enumerable.Range(start, Math.Min(1000, rows - start)).Select(i => new
            {
                MessageId = Guid.CreateVersion7(),
                MessageType = type,
                Payload = JsonSerializer.Serialize(new OrderPaid(Guid.CreateVersion7(), $"bench-user-{i % 997}",
                    [new OrderLine("BENCH-00001", 1, 12.34m)], 12.34m, $"pay-relay-{i}", now), Json),
            });
            await connection.ExecuteAsync(new CommandDefinition(InsertSql, chunk, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>Waits for the backlog to be gone; false if it is not gone in time.</summary>
    public static async Task<bool> WaitDrainedAsync(string connectionString, TimeSpan wait, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var deadline = DateTime.UtcNow + wait;
        while (await connection.ExecuteScalarAsync<long>(new CommandDefinition(PendingSql, cancellationToken: ct)) > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(100, ct);
        }
        return true;
    }

    public static async Task<DateTime> LastDispatchedAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(LastDispatchedSql, cancellationToken: ct));
    }
}
