using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using RabbitMQ.Client.Exceptions;

namespace OrderSystem.Operations;

/// <summary>GET /api/admin/dead-letters and POST /api/admin/dead-letters/{module}/replay.</summary>
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

    private static IResult BrokerUnavailable() => Problems.Create(StatusCodes.Status503ServiceUnavailable, "broker-unavailable",
        "RabbitMQ is unavailable.", "The error queues cannot be read right now. Retry later.");
}
