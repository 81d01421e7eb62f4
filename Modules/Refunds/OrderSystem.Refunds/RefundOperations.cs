using Dapper;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Refunds;

/// <summary>
/// The operator console's view of refunds (<see cref="IRefundOperations"/>). The summary reads the due index
/// (status, next_attempt_at); an order's refunds read the order index. Reissue and resolve follow the admin routes' rules.
/// </summary>
internal sealed class RefundOperations(ModuleStore<ModuleTag> refunds, RefundTransitions transitions) : IRefundOperations
{
    // Both read the due index (status, next_attempt_at): the counts from the index alone, the oldest from the Processing range.
    internal const string SummarySql = "SELECT status AS Status, COUNT(*) AS Count FROM refunds_refunds GROUP BY status";

    internal const string OldestProcessingSql = "SELECT MIN(requested_at) FROM refunds_refunds WHERE status = 'Processing'";

    internal const string ForOrderSql = """
        SELECT refund_id AS RefundId, payment_id AS PaymentId, amount AS Amount, reason AS Reason, status AS Status,
               requested_at AS RequestedAt, completed_at AS CompletedAt, attempts AS Attempts, note AS Note, reissued_as AS ReissuedAs
        FROM refunds_refunds WHERE order_id = @OrderId ORDER BY requested_at, refund_id
        """;

    public async Task<RefundSummary> SummarizeAsync(CancellationToken ct)
    {
        await using var connection = await refunds.Db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(SummarySql, cancellationToken: ct));
        var oldest = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(OldestProcessingSql, cancellationToken: ct));
        return new RefundSummary(rows.ToDictionary(r => r.Status, r => r.Count), oldest);
    }

    public async Task<IReadOnlyList<RefundDetail>> ForOrderAsync(Guid orderId, CancellationToken ct)
    {
        await using var connection = await refunds.Db.OpenAsync(ct);
        return (await connection.QueryAsync<RefundDetail>(new CommandDefinition(ForOrderSql, new { OrderId = orderId }, cancellationToken: ct))).AsList();
    }

    public async Task<RefundActionResult> ReissueAsync(Guid refundId, CancellationToken ct)
    {
        var refund = await transitions.LoadAsync(refundId, ct);
        if (refund is null)
        {
            return new("NotFound", $"No refund {refundId}.");
        }
        if (refund.ReissuedAs is { } already)
        {
            return new("AlreadyDone", $"Already reissued as {already}.");
        }
        if (refund.Status != RefundStatus.Closed)
        {
            return new("Refused", $"Only a Closed refund can be reissued; this one is {refund.Status}.");
        }
        if (await transitions.ReissueAsync(refund, ct) is { } newId)
        {
            RefundSignal.Notify();
            return new("Done", $"Reissued as {newId}.");
        }
        return (await transitions.LoadAsync(refundId, ct))?.ReissuedAs is { } other
            ? new("AlreadyDone", $"Already reissued as {other}.")
            : new("Refused", "The payment's refunds already reach its captured amount.");
    }

    public async Task<RefundActionResult> ResolveAsync(Guid refundId, string note, CancellationToken ct)
    {
        var refund = await transitions.LoadAsync(refundId, ct);
        switch (refund?.Status)
        {
            case null:
                return new("NotFound", $"No refund {refundId}.");
            case RefundStatus.Resolved:
                return new("AlreadyDone", refund.Note ?? "Already resolved.");
            case RefundStatus.ManualReview:
                return await transitions.MoveAsync(refund, [RefundStatus.ManualReview], RefundStatus.Resolved, ct, note: "Resolved: " + note)
                    ? new("Done", "Resolved: " + note)
                    : new("AlreadyDone", "Resolved by another press.");
            default:
                return new("Refused", $"Only a refund in ManualReview can be resolved; this one is {refund.Status}.");
        }
    }
}
