using Dapper;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Operations.Contracts;

namespace OrderSystem.Operations;

/// <summary>
/// The audit of a module that declares an effect table: no order has two effects (the table's order_id), and no order
/// was announced twice in the module's outbox (each event type once per order: a completion, a compensation). Runs on the
/// module's own database.
/// </summary>
internal sealed class EffectAudit(ModuleStore module) : IReconciliationAudit
{
    private readonly string _duplicateEffectsSql = $"""
        SELECT order_id AS Subject, COUNT(*) AS N FROM {SqlIdentifier.Require(module.Declaration.EffectTable!)}
        GROUP BY order_id HAVING COUNT(*) > 1 LIMIT @Limit
        """;

    private readonly string? _duplicateAnnouncementsSql = module.HasOutbox ? $"""
        SELECT JSON_VALUE(payload, '$.orderId') AS Subject, COUNT(*) AS N FROM {SqlIdentifier.Require(module.Outbox.Table)}
        GROUP BY message_type, JSON_VALUE(payload, '$.orderId') HAVING COUNT(*) > 1 LIMIT @Limit
        """ : null;

    public static IEnumerable<IReconciliationAudit> Of(IEnumerable<ModuleStore> modules) =>
        modules.Where(m => m.Declaration.EffectTable is not null).Select(m => new EffectAudit(m));

    public async Task<IReadOnlyList<ReconciliationFinding>> AuditAsync(ReconciliationScope scope, CancellationToken ct)
    {
        var name = module.Declaration.Name;
        await using var connection = await module.Db.OpenAsync(ct);
        var effects = await connection.QueryAsync<(object Subject, long N)>(
            new CommandDefinition(_duplicateEffectsSql, new { scope.Limit }, cancellationToken: ct));
        var findings = effects.Select(e => new ReconciliationFinding("duplicate-effect", name, e.Subject.ToString()!,
            $"{e.N} rows in {module.Declaration.EffectTable} for one order")).ToList();
        if (_duplicateAnnouncementsSql is not null)
        {
            var announcements = await connection.QueryAsync<(object Subject, long N)>(
                new CommandDefinition(_duplicateAnnouncementsSql, new { scope.Limit }, cancellationToken: ct));
            findings.AddRange(announcements.Select(a => new ReconciliationFinding("duplicate-announcement", name, a.Subject.ToString()!,
                $"{a.N} completion events in {module.Outbox.Table} for one order")));
        }
        return findings;
    }
}
