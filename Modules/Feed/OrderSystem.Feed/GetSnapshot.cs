using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Feed.Contracts;

namespace OrderSystem.Feed;

/// <summary>
/// GET /api/admin/feed/snapshot: the bootstrap for a new consumer, as JSON lines. The first line is the sequence the
/// snapshot stands at; then one line per order with its state and version as of exactly that sequence. Both come from the
/// feed's own tables in one consistent snapshot, and the sequencer moves them in one transaction, so reading the stream
/// from sequence + 1 continues with no gap and no overlap.
/// </summary>
internal static class GetSnapshot
{
    private const string BeginSql = "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY";

    private const string SequenceSql = "SELECT COALESCE((SELECT last_sequence FROM feed_cursor WHERE id = 1), 0)";

    private const string OrdersSql = "SELECT version AS Version, sequence AS Sequence, state AS State FROM feed_orders ORDER BY order_id";

    private sealed record Row(int Version, long Sequence, string State);

    public static async Task Handle(HttpContext http, ModuleStore<ModuleTag> feed, TimeProvider clock, CancellationToken ct)
    {
        await using var connection = await feed.Db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(BeginSql, cancellationToken: ct));
        try
        {
            var sequence = await connection.ExecuteScalarAsync<long>(new CommandDefinition(SequenceSql, cancellationToken: ct));
            http.Response.ContentType = "application/x-ndjson";
            http.Response.Headers["X-Feed-Sequence"] = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var body = http.Response.Body;
            await WriteLineAsync(body, JsonSerializer.Serialize(new FeedSnapshotHeader(sequence, clock.GetUtcNow().UtcDateTime), FeedEvent.Json), ct);
            // Unbuffered: a large table streams row by row instead of loading into memory.
            await foreach (var row in connection.QueryUnbufferedAsync<Row>(OrdersSql).WithCancellation(ct))
            {
                var order = JsonSerializer.Deserialize<FeedOrder>(row.State, FeedEvent.Json)!;
                await WriteLineAsync(body, JsonSerializer.Serialize(new FeedSnapshotOrder(row.Version, row.Sequence, order), FeedEvent.Json), ct);
            }
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("COMMIT", cancellationToken: CancellationToken.None));
        }
    }

    private static async Task WriteLineAsync(Stream body, string json, CancellationToken ct) =>
        await body.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"), ct);
}
