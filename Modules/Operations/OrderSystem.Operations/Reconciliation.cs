using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Operations.Contracts;

namespace OrderSystem.Operations;

internal sealed class ReconciliationOptions
{
    /// <summary>How long a paid order may take to be fulfilled before the audit reports it.</summary>
    public int FulfillmentGraceSeconds { get; set; } = 300;
}

/// <summary>GET /api/admin/reconciliation[?olderThanSeconds=N]: every finding of every module's audit; empty when all is well.</summary>
internal static class RunReconciliation
{
    internal sealed record Response(DateTime PaidBefore, IReadOnlyList<ReconciliationFinding> Findings);

    public static async Task<IResult> Handle(int? olderThanSeconds, IEnumerable<IReconciliationAudit> audits, IEnumerable<ModuleStore> modules,
        IOptions<ReconciliationOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (olderThanSeconds is < 0 or > 31_536_000)
        {
            return Problems.Validation("olderThanSeconds", "Give a number of seconds from 0 to 31536000.");
        }
        var scope = new ReconciliationScope(
            clock.GetUtcNow().UtcDateTime.AddSeconds(-(olderThanSeconds ?? options.Value.FulfillmentGraceSeconds)), Limit: 100);
        var findings = new List<ReconciliationFinding>();
        foreach (var audit in audits.Concat(EffectAudit.Of(modules)))
        {
            findings.AddRange(await audit.AuditAsync(scope, ct));
        }
        return TypedResults.Ok(new Response(scope.PaidBefore, findings));
    }
}
