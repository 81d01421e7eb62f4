using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Outbox;

namespace OrderSystem.Operations;

/// <summary>
/// GET /api/admin/outbox?state=pending|failed: rows not yet confirmed by the broker, across the outboxes of every
/// module this process runs. Pending rows are still the relay's to send, including those that failed fewer than
/// Outbox:MaxAttempts times (they show their attempts and last error); failed rows are parked: the relay no longer tries
/// them, and they wait for an operator's retry.
/// </summary>
internal static class ListOutbox
{
    internal sealed record Row(string Module, long Id, Guid MessageId, string MessageType, DateTime CreatedAt, int Attempts, string? LastError);

    internal sealed record Response(string State, IReadOnlyList<Row> Items);

    public static async Task<IResult> Handle(string? state, int? limit, IEnumerable<ModuleStore> modules,
        IOptions<OutboxOptions> options, CancellationToken ct)
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
        foreach (var outbox in OutboxQueries.Of(modules))
        {
            await using var connection = await outbox.Module.Db.OpenAsync(ct);
            items.AddRange(await connection.QueryAsync<Row>(new CommandDefinition(outbox.List,
                new { Module = outbox.ModuleName, Failed = state == "failed", options.Value.MaxAttempts, Limit = limit ?? 100 },
                cancellationToken: ct)));
        }
        return TypedResults.Ok(new Response(state, items));
    }
}
