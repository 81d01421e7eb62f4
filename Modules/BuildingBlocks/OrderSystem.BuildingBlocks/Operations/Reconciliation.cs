using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.BuildingBlocks.Operations;

/// <summary>
/// One module's audit of its own invariants, on its own tables. The reconciliation endpoint runs them all, so no
/// query ever joins two modules' tables.
/// </summary>
public interface IReconciliationAudit
{
    Task<IReadOnlyList<ReconciliationFinding>> AuditAsync(ReconciliationScope scope, CancellationToken ct);
}

/// <summary>What an audit looks at: fulfilment is only overdue for orders paid before <paramref name="PaidBefore"/>.</summary>
public sealed record ReconciliationScope(DateTime PaidBefore, int Limit);

/// <summary>One broken invariant: which check, in which module, about what (an order id, a SKU), and the facts.</summary>
public sealed record ReconciliationFinding(string Check, string Module, string Subject, string Detail);

internal sealed class ReconciliationOptions
{
    /// <summary>How long a paid order may take to be fulfilled before the audit reports it.</summary>
    public int FulfilmentGraceSeconds { get; set; } = 300;
}

/// <summary>GET /api/admin/reconciliation[?olderThanSeconds=N]: every finding of every module's audit; empty when all is well.</summary>
internal static class RunReconciliation
{
    internal sealed record Response(DateTime PaidBefore, IReadOnlyList<ReconciliationFinding> Findings);

    public static async Task<IResult> Handle(int? olderThanSeconds, IEnumerable<IReconciliationAudit> audits,
        IOptions<ReconciliationOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (olderThanSeconds is < 0 or > 31_536_000)
        {
            return Problems.Validation("olderThanSeconds", "Give a number of seconds from 0 to 31536000.");
        }
        var scope = new ReconciliationScope(
            clock.GetUtcNow().UtcDateTime.AddSeconds(-(olderThanSeconds ?? options.Value.FulfilmentGraceSeconds)), Limit: 100);
        var findings = new List<ReconciliationFinding>();
        foreach (var audit in audits)
        {
            findings.AddRange(await audit.AuditAsync(scope, ct));
        }
        return TypedResults.Ok(new Response(scope.PaidBefore, findings));
    }
}
