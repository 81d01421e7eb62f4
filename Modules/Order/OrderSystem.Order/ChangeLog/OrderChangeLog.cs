using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.ChangeLog;

/// <summary>
/// Reads order_outbox in id order for the feed. Ids are handed out when a row is inserted, not when it commits: a lower
/// id can commit after a higher one, and a rolled-back transaction leaves its id unused for ever. So a missing id is
/// never passed over while a transaction may still commit it. A locking read of the missing range waits for any
/// transaction that inserted there; only a range still empty after that and after <see cref="OrderChangeLogOptions.GapGraceMs"/>
/// is passed (an id is drawn an instant before its row enters the index; a range empty that long was rolled back).
/// </summary>
internal sealed class OrderChangeLog(ModuleStore<ModuleTag> orders, IOptions<OrderChangeLogOptions> options, TimeProvider clock) : IOrderChangeLog
{
    private const string ReadSql = """
        SELECT id AS Id, message_type AS MessageType, payload AS Payload FROM order_outbox WHERE id > @After ORDER BY id LIMIT @Max
        """;

    internal const string FirstAfterSql = "SELECT created_at FROM order_outbox WHERE id > @After ORDER BY id LIMIT 1";

    // READ COMMITTED for this one transaction (pooled connections are not reset): no gap locks against the inserts.
    private const string ProbeSql = """
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED; START TRANSACTION;
        SELECT COUNT(*) FROM order_outbox WHERE id BETWEEN @From AND @To LOCK IN SHARE MODE;
        COMMIT;
        """;

    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, Type> Described = new[]
    {
        typeof(OrderCreated), typeof(OrderPaid), typeof(OrderExpired), typeof(OrderRefundRequested), typeof(OrderFulfillmentStepChanged),
        typeof(OrderCancelled), typeof(UnpaidOrderCancelled), typeof(OrderRefundChanged),
    }.ToDictionary(t => t.FullName!, StringComparer.Ordinal);

    // The first time each still-empty range was seen, by its first id. Only the feed's single sequencer reads.
    private readonly Dictionary<long, DateTime> _gapsSeen = [];

    private sealed record Row(long Id, string MessageType, string Payload);

    private enum Gap { Open, Committed, Abandoned }

    // Under load the reader is at the head of the outbox, where ids are drawn by transactions still running. What is
    // before the first missing id goes back at once; the probe (which waits for the transaction holding it) runs only
    // when the missing id is the very first, and then the read goes on from there.
    private const int ReadsPerBatch = 4;

    public async Task<OrderChangeBatch> ReadAfterAsync(long position, int max, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        var changes = new List<OrderChange>();
        var through = position;
        for (var read = 0; read < ReadsPerBatch && through == position; read++)
        {
            var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
                ReadSql, new { After = through, Max = max }, cancellationToken: ct))).AsList();
            var gap = Gap.Abandoned;
            foreach (var row in rows)
            {
                if (row.Id != through + 1 && (through > position || (gap = await ProbeAsync(connection, through + 1, row.Id - 1, ct)) != Gap.Abandoned))
                {
                    break; // a transaction may still commit an id below this row, or just did
                }
                if (Described.TryGetValue(row.MessageType, out var type))
                {
                    changes.Add(new OrderChange(row.Id, JsonSerializer.Deserialize(row.Payload, type, PayloadJson)!));
                }
                through = row.Id;
            }
            if (gap != Gap.Committed)
            {
                break; // read to the end, or up to a missing id: the next poll looks again
            }
        }
        return new OrderChangeBatch(changes, through);
    }

    public async Task<DateTime?> FirstAfterAsync(long position, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(FirstAfterSql, new { After = position }, cancellationToken: ct));
    }

    private async Task<Gap> ProbeAsync(MySqlConnector.MySqlConnection connection, long from, long to, CancellationToken ct)
    {
        // Waits while a transaction holds an insert in the range; counts what it committed.
        var committed = await connection.ExecuteScalarAsync<long>(new CommandDefinition(ProbeSql, new { From = from, To = to }, cancellationToken: ct));
        if (committed > 0)
        {
            _gapsSeen.Remove(from);
            return Gap.Committed; // now committed: the next read takes it
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (!_gapsSeen.TryGetValue(from, out var seen))
        {
            _gapsSeen[from] = now;
            return Gap.Open;
        }
        if (now - seen < TimeSpan.FromMilliseconds(options.Value.GapGraceMs))
        {
            return Gap.Open;
        }
        _gapsSeen.Remove(from);
        return Gap.Abandoned;
    }
}

/// <summary>The feed's reading of Order's outbox (section "Feed").</summary>
public sealed class OrderChangeLogOptions
{
    /// <summary>Whether Order writes the rows only the feed reads (OrderCreated, fulfillment steps); off only to measure the feed's cost.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long an empty range of ids, after a locking read found no transaction in it, waits before the feed passes it.</summary>
    public int GapGraceMs { get; set; } = 200;
}
