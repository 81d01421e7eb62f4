using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Refunds;

/// <summary>
/// POST /api/payments/refund-webhook: the provider's signed notice that a refund ended (retried, sometimes twice,
/// sometimes never: the processor's queries do not rely on it). A notice is handled once (the inbox, by a hash of the
/// body); a stale one cannot move a refund backwards (the state guard).
/// </summary>
internal static partial class RefundWebhook
{
    /// <summary>The provider's notice; only the id and the status are acted on (the amount and time are the provider's own).</summary>
    internal sealed record Request(Guid? RefundId, string? Status, string? PaymentId, Guid? OrderId, decimal? Amount, DateTimeOffset? CompletedAt);

    internal sealed record Response(Guid RefundId, string Status);

    private const string Consumer = "RefundWebhook";

    private static readonly string[] ProviderStatuses = ["PROCESSING", "SUCCESS", "CLOSED", "ABNORMAL"];

    public static async Task<IResult> Handle(HttpRequest http, PaymentSignature signature, ModuleStore<ModuleTag> refunds,
        RefundTransitions transitions, ProviderOutcomes outcomes, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadBytesAsync(http, ct);
        if (problem is not null)
        {
            return problem;
        }
        if (!signature.IsValid(body, http.Headers["X-Signature"]))
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "invalid-signature", "Invalid signature.",
                "X-Signature must be sha256=<lowercase hex HMAC-SHA256 of the raw body>.");
        }
        var (request, parseProblem) = JsonBody.Parse<Request>(body);
        if (parseProblem is not null)
        {
            return parseProblem;
        }
        if (request!.RefundId is not { } refundId || refundId == Guid.Empty || !ProviderStatuses.Contains(request.Status))
        {
            return Problems.Validation("status", "A refundId and a status (PROCESSING, SUCCESS, CLOSED or ABNORMAL) are required.");
        }
        var refund = await transitions.LoadAsync(refundId, ct);
        if (refund is null)
        {
            LogUnknown(loggers.CreateLogger(typeof(RefundWebhook)), refundId, request.Status!);
            return Problems.NotFound("Refund", refundId.ToString());
        }
        var notice = NoticeId(body!);
        if (!await refunds.HasSeenAsync(notice, Consumer, ct))
        {
            await outcomes.ApplyAsync(refund, request.Status!, ct);
            await using var connection = await refunds.Db.OpenAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT IGNORE INTO {refunds.Inbox.Name} (message_id, consumer, processed_at) VALUES (@Id, @Consumer, @Now)",
                new { Id = notice, Consumer, Now = clock.UtcNowForDatabase() }, cancellationToken: ct));
        }
        var now = await transitions.LoadAsync(refundId, ct);
        return TypedResults.Ok(new Response(refundId, now!.Status));
    }

    /// <summary>A retried or duplicated notice is the same bytes, so the same id.</summary>
    private static Guid NoticeId(byte[] body) => new(SHA256.HashData(body).AsSpan(0, 16));

    [LoggerMessage(LogLevel.Warning, "Refund webhook for an unknown refund {RefundId} ({Status}) ignored")]
    private static partial void LogUnknown(ILogger logger, Guid refundId, string status);
}
