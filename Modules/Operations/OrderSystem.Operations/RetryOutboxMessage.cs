using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Operations;

/// <summary>
/// POST /api/admin/outbox/{messageId}/retry: re-arms a parked (or failing) row, its attempts back to 0 and its error
/// cleared, and wakes its relay now, for an operator who has fixed the cause. The row keeps its message id, so consumers
/// still dedupe it.
/// </summary>
internal static class RetryOutboxMessage
{
    internal sealed record Response(string Module, Guid MessageId, string State);

    public static async Task<IResult> Handle(string messageId, IEnumerable<ModuleStore> modules, CancellationToken ct)
    {
        if (!Guid.TryParseExact(messageId, "D", out var id))
        {
            return Problems.Validation("messageId", "The message id must be a GUID.");
        }
        foreach (var outbox in OutboxQueries.Of(modules))
        {
            await using var connection = await outbox.Module.Db.OpenAsync(ct);
            if (await connection.ExecuteAsync(new CommandDefinition(outbox.Reset, new { Id = id }, cancellationToken: ct)) > 0)
            {
                outbox.Module.Outbox.NotifyCommitted();
                return TypedResults.Accepted((string?)null,
                    new Response(outbox.ModuleName, id, "pending"));
            }
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(outbox.Exists, new { Id = id }, cancellationToken: ct)) > 0)
            {
                return Problems.Create(StatusCodes.Status409Conflict, "already-dispatched", "Already dispatched.",
                    "The broker confirmed this message; there is nothing to retry.");
            }
        }
        return Problems.NotFound("Outbox message", messageId);
    }
}
