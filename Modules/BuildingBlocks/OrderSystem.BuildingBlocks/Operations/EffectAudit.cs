using Dapper;
using OrderSystem.BuildingBlocks.Database;

namespace OrderSystem.BuildingBlocks.Operations;

/// <summary>
/// The audit every consuming module runs on its own tables: no order has two effects, and no order was announced
/// twice in the module's outbox (the completion event the module publishes once per effect).
/// </summary>
internal sealed class EffectAudit(string module, string effectTable, string outboxTable, Db db) : IReconciliationAudit
{
    private readonly string _duplicateEffectsSql = $"""
        SELECT order_id AS Subject, COUNT(*) AS N FROM {SqlIdentifier.Require(effectTable)}
        GROUP BY order_id HAVING COUNT(*) > 1 LIMIT @Limit
        """;

    private readonly string _duplicateAnnouncementsSql = $"""
        SELECT JSON_VALUE(payload, '$.orderId') AS Subject, COUNT(*) AS N FROM {SqlIdentifier.Require(outboxTable)}
        GROUP BY JSON_VALUE(payload, '$.orderId') HAVING COUNT(*) > 1 LIMIT @Limit
        """;

    public async Task<IReadOnlyList<ReconciliationFinding>> AuditAsync(ReconciliationScope scope, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var effects = await connection.QueryAsync<(object Subject, long N)>(
            new CommandDefinition(_duplicateEffectsSql, new { scope.Limit }, cancellationToken: ct));
        var announcements = await connection.QueryAsync<(object Subject, long N)>(
            new CommandDefinition(_duplicateAnnouncementsSql, new { scope.Limit }, cancellationToken: ct));
        return
        [
            .. effects.Select(e => new ReconciliationFinding("duplicate-effect", module, e.Subject.ToString()!, $"{e.N} rows in {effectTable} for one order")),
            .. announcements.Select(a => new ReconciliationFinding("duplicate-announcement", module, a.Subject.ToString()!,
                $"{a.N} completion events in {outboxTable} for one order")),
        ];
    }
}
