using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Refunds;

/// <summary>
/// The operator's refund routes under /api/admin/refunds. Each is idempotent: pressing twice answers the same and
/// changes nothing more.
/// </summary>
internal static class RefundAdmin
{
    internal sealed record Refund(Guid RefundId, Guid OrderId, string PaymentId, decimal Amount, string Reason, string Status,
        DateTime RequestedAt, DateTime? CompletedAt, int Attempts, string? LastError, string? Note, Guid? ReissuedFrom, Guid? ReissuedAs);

    internal sealed record ResolveRequest(string? Note);

    /// <summary>GET /api/admin/refunds?status=: the refunds in a state (all states without it), oldest first, at most 500.</summary>
    public static async Task<IResult> List(string? status, ModuleStore<ModuleTag> refunds, CancellationToken ct)
    {
        if (status is not null && !RefundStatus.All.Contains(status))
        {
            return Problems.Validation("status", $"The status must be one of {string.Join(", ", RefundStatus.All)}.");
        }
        await using var connection = await refunds.Db.OpenAsync(ct);
        var rows = await connection.QueryAsync<StoredRefund>(new CommandDefinition(
            $"SELECT {StoredRefund.Columns} FROM refunds_refunds WHERE (@Status IS NULL OR status = @Status) ORDER BY requested_at LIMIT 500",
            new { Status = status }, cancellationToken: ct));
        return TypedResults.Ok(rows.Select(r => ToView(r)!).ToList());
    }

    /// <summary>
    /// POST /api/admin/refunds/{id}/retry: asks the provider again now. A refund in ManualReview because the provider refused
    /// it goes back to Submitted: the processor queries first and submits under the same id only if the provider has none.
    /// </summary>
    public static async Task<IResult> Retry(string refundId, ModuleStore<ModuleTag> refunds, RefundTransitions transitions,
        TimeProvider clock, CancellationToken ct)
    {
        var (refund, problem) = await FindAsync(refundId, transitions, ct);
        if (refund is null)
        {
            return problem!;
        }
        if (refund.Status == RefundStatus.ManualReview && refund.Note != ProviderOutcomes.AbnormalNote)
        {
            await transitions.MoveAsync(refund, [RefundStatus.ManualReview], RefundStatus.Submitted, ct);
        }
        else if (RefundStatus.InFlight.Contains(refund.Status))
        {
            await using var connection = await refunds.Db.OpenAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition("UPDATE refunds_refunds SET next_attempt_at = @Now WHERE refund_id = @Id",
                new { Now = clock.UtcNowForDatabase(), Id = refund.RefundId }, cancellationToken: ct));
        }
        else
        {
            return Problems.Create(StatusCodes.Status409Conflict, "refund-ended", "The refund has ended.",
                $"A {refund.Status} refund has nothing to retry{(refund.Status == RefundStatus.Closed ? "; reissue it instead" : "")}.");
        }
        RefundSignal.Notify();
        return TypedResults.Accepted((string?)null, ToView(await transitions.LoadAsync(refund.RefundId, ct)));
    }

    /// <summary>
    /// POST /api/admin/refunds/{id}/reissue: a Closed refund moved no money; a new refund with a new id (the only way a new
    /// id is ever minted for a payment) asks for it again. Reissuing twice answers the same new refund.
    /// </summary>
    public static async Task<IResult> Reissue(string refundId, RefundTransitions transitions, CancellationToken ct)
    {
        var (refund, problem) = await FindAsync(refundId, transitions, ct);
        if (refund is null)
        {
            return problem!;
        }
        if (refund.ReissuedAs is { } already)
        {
            return TypedResults.Ok(ToView(await transitions.LoadAsync(already, ct)));
        }
        if (refund.Status != RefundStatus.Closed)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "not-closed", "Only a Closed refund can be reissued.",
                $"The refund is {refund.Status}.");
        }
        var newId = await transitions.ReissueAsync(refund, ct);
        if (newId is null)
        {
            // Reissued by a concurrent press, or the capture is used up.
            var current = await transitions.LoadAsync(refund.RefundId, ct);
            return current?.ReissuedAs is { } other
                ? TypedResults.Ok(ToView(await transitions.LoadAsync(other, ct)))
                : Problems.Create(StatusCodes.Status409Conflict, "capture-exceeded", "Nothing left to refund.",
                    "The payment's refunds already reach its captured amount.");
        }
        RefundSignal.Notify();
        return TypedResults.Created($"/api/admin/refunds/{newId}", ToView(await transitions.LoadAsync(newId.Value, ct)));
    }

    /// <summary>POST /api/admin/refunds/{id}/resolve {"note"}: an operator settled a ManualReview refund outside the system.</summary>
    public static async Task<IResult> Resolve(string refundId, HttpRequest http, RefundTransitions transitions, CancellationToken ct)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<ResolveRequest>(http, ct);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }
        if (request!.Note is not { Length: >= 1 and <= 1000 } note || string.IsNullOrWhiteSpace(note))
        {
            return Problems.Validation("note", "Say in 1-1000 characters how the refund was settled.");
        }
        var (refund, problem) = await FindAsync(refundId, transitions, ct);
        if (refund is null)
        {
            return problem!;
        }
        if (refund.Status is not (RefundStatus.ManualReview or RefundStatus.Resolved))
        {
            return Problems.Create(StatusCodes.Status409Conflict, "not-in-review", "Only a refund in ManualReview can be resolved.",
                $"The refund is {refund.Status}.");
        }
        await transitions.MoveAsync(refund, [RefundStatus.ManualReview], RefundStatus.Resolved, ct, note: "Resolved: " + note);
        return TypedResults.Ok(ToView(await transitions.LoadAsync(refund.RefundId, ct)));
    }

    private static async Task<(StoredRefund? Refund, IResult? Problem)> FindAsync(string refundId, RefundTransitions transitions, CancellationToken ct)
    {
        if (!Guid.TryParseExact(refundId, "D", out var id))
        {
            return (null, Problems.Validation("refundId", "The refund id must be a GUID."));
        }
        var refund = await transitions.LoadAsync(id, ct);
        return refund is null ? (null, Problems.NotFound("Refund", refundId)) : (refund, null);
    }

    private static Refund? ToView(StoredRefund? r) => r is null ? null : new(r.RefundId, r.OrderId, r.PaymentId, r.Amount, r.Reason,
        r.Status, r.RequestedAt, r.CompletedAt, r.Attempts, r.LastError, r.Note, r.ReissuedFrom, r.ReissuedAs);
}
