using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Outbox;

namespace OrderSystem.BuildingBlocks.Operations;

/// <summary>
/// POST /api/admin/outbox/{messageId}/retry: clears a failed row's error and backoff and wakes its relay now, for an
/// operator who has fixed the cause. The row keeps its message id, so consumers still dedupe it.
/// </summary>
internal static class RetryOutboxMessage
{
    internal sealed record Response(string Module, Guid MessageId, string State);

    // message_id has no index (every payment inserts here, see PERFORMANCE.md): a scan of a table retention keeps small.
    private const string ResetSql = "UPDATE {0} SET attempts = 0, last_error = NULL WHERE message_id = @Id AND dispatched_at IS NULL";
    private const string ExistsSql = "SELECT COUNT(*) FROM {0} WHERE message_id = @Id";

    public static async Task<IResult> Handle(string messageId, Db db, IEnumerable<IOutboxTable> outboxes, CancellationToken ct)
    {
        if (!Guid.TryParseExact(messageId, "D", out var id))
        {
            return Problems.Validation("messageId", "The message id must be a GUID.");
        }
        await using var connection = await db.OpenAsync(ct);
        foreach (var outbox in outboxes)
        {
            var reset = await connection.ExecuteAsync(new CommandDefinition(string.Format(ResetSql, outbox.Table), new { Id = id }, cancellationToken: ct));
            if (reset > 0)
            {
                outbox.Signal.Notify();
                return TypedResults.Accepted((string?)null, new Response(outbox.Module, id, "pending"));
            }
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(string.Format(ExistsSql, outbox.Table), new { Id = id }, cancellationToken: ct)) > 0)
            {
                return Problems.Create(StatusCodes.Status409Conflict, "already-dispatched", "Already dispatched.",
                    "The broker confirmed this message; there is nothing to retry.");
            }
        }
        return Problems.NotFound("Outbox message", messageId);
    }
}
