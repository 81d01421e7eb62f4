using Dapper;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Operations.Contracts;

namespace OrderSystem.Inventory;

/// <summary>Inventory's own invariant: no product's stock (or what was taken from it) is ever negative.</summary>
internal sealed class AuditStock(ModuleStore<ModuleTag> inventory) : IReconciliationAudit
{
    private const string Sql = """
        SELECT sku AS Sku, available AS Available, deducted AS Deducted FROM inventory_products
        WHERE available < 0 OR deducted < 0 LIMIT @Limit
        """;

    public async Task<IReadOnlyList<ReconciliationFinding>> AuditAsync(ReconciliationScope scope, CancellationToken ct)
    {
        await using var connection = await inventory.Db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Sku, int Available, long Deducted)>(new CommandDefinition(Sql, new { scope.Limit }, cancellationToken: ct));
        return [.. rows.Select(r => new ReconciliationFinding("negative-stock", InventoryModule.Declaration.Name, r.Sku,
            $"available {r.Available}, deducted {r.Deducted}"))];
    }
}
