using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Operations;

/// <summary>GET /api/admin/dead-letters, POST /api/admin/dead-letters/{module}/replay and .../{module}/{messageId}/replay.</summary>
internal static class DeadLetterEndpoints
{
    internal sealed record ReplayResponse(string Module, int Replayed);

    public static async Task<IResult> List(int? peek, DeadLetters deadLetters, CancellationToken ct)
    {
        if (peek is not null and not (>= 0 and <= 100))
        {
            return Problems.Validation("peek", "Peek at 0 to 100 messages per queue.");
        }
        try
        {
            return TypedResults.Ok(await deadLetters.ListAsync(peek ?? 20, ct));
        }
        catch (BrokerUnreachableException)
        {
            return BrokerUnavailable();
        }
    }

    public static async Task<IResult> Replay(string module, int? limit, DeadLetters deadLetters, CancellationToken ct)
    {
        if (!deadLetters.Modules.Contains(module, StringComparer.Ordinal))
        {
            return Problems.NotFound("Module", module);
        }
        if (limit is not null and not (>= 1 and <= 10_000))
        {
            return Problems.Validation("limit", "Replay 1 to 10000 messages at a time.");
        }
        try
        {
            return TypedResults.Ok(new ReplayResponse(module, await deadLetters.ReplayAsync(module, limit ?? 1000, ct)));
        }
        catch (BrokerUnreachableException)
        {
            return BrokerUnavailable();
        }
    }

    public static async Task<IResult> ReplayOne(string module, string messageId, DeadLetters deadLetters, CancellationToken ct)
    {
        if (!deadLetters.Modules.Contains(module, StringComparer.Ordinal))
        {
            return Problems.NotFound("Module", module);
        }
        if (!Guid.TryParseExact(messageId, "D", out var id))
        {
            return Problems.Validation("messageId", "The message id must be a GUID (8-4-4-4-12).");
        }
        try
        {
            return await deadLetters.ReplayOneAsync(module, id, ScanLimit, ct)
                ? TypedResults.Ok(new ReplayResponse(module, 1))
                : Problems.Create(StatusCodes.Status404NotFound, "not-found", "Dead letter not found.",
                    $"No message {id} among the first {ScanLimit} of {module}'s error queue: replayed already, or never there.");
        }
        catch (BrokerUnreachableException)
        {
            return BrokerUnavailable();
        }
    }

    /// <summary>How far into an error queue a single message is looked for.</summary>
    internal const int ScanLimit = 10_000;

    private static IResult BrokerUnavailable() => Problems.Create(StatusCodes.Status503ServiceUnavailable, "broker-unavailable",
        "RabbitMQ is unavailable.", "The error queues cannot be read right now. Retry later.");
}
