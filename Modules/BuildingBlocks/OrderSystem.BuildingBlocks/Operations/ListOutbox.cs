using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Outbox;

namespace OrderSystem.BuildingBlocks.Operations;

/// <summary>
/// GET /api/admin/outbox?state=pending|failed: rows not yet confirmed by the broker, across every module's outbox.
/// Pending rows have not been tried yet; failed rows have been tried and are waiting for the relay's next attempt.
/// </summary>
internal static class ListOutbox
{
    internal sealed record Row(string Module, long Id, Guid MessageId, string MessageType, DateTime CreatedAt, int Attempts, string? LastError);

    internal sealed record Response(string State, IReadOnlyList<Row> Items);

    // Table names come from the modules' registrations, never from the request. The pending index serves both states.
    private const string Sql = """
        SELECT @Module AS Module, id AS Id, message_id AS MessageId, message_type AS MessageType, created_at AS CreatedAt, attempts AS Attempts, last_error AS LastError
        FROM {0} WHERE dispatched_at IS NULL AND (attempts > 0) = @Failed ORDER BY id LIMIT @Limit
        """;

    public static async Task<IResult> Handle(string? state, int? limit, Db db, IEnumerable<IOutboxTable> outboxes, CancellationToken ct)
    {
        if (state is not ("pending" or "failed"))
        {
            return Problems.Validation("state", "Give state=pending or state=failed.");
        }
        if (limit is not null and not (>= 1 and <= 1000))
        {
            return Problems.Validation("limit", "The limit must be from 1 to 1000.");
        }
        var items = new List<Row>();
        await using var connection = await db.OpenAsync(ct);
        foreach (var outbox in outboxes)
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(string.Format(Sql, outbox.Table),
                new { outbox.Module, Failed = state == "failed", Limit = limit ?? 100 }, cancellationToken: ct));
            items.AddRange(rows);
        }
        return TypedResults.Ok(new Response(state, items));
    }
}
