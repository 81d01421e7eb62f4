using System.Data.Common;
using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;

namespace OrderSystem.Inventory;

internal sealed class Stock(ModuleStore<ModuleTag> inventory) : IStock
{
    private const string PricesSql = "SELECT sku AS Sku, price AS Price FROM inventory_products WHERE sku IN @Skus";

    // The WHERE clause is the oversell guard: the row only changes while enough stock is left.
    // deducted rides on the same row update: reconciliation checks it against paid orders at no cost to the payment.
    private const string DeductSql =
        "UPDATE inventory_products SET available = available - @Quantity, deducted = deducted + @Quantity WHERE sku = @Sku AND available >= @Quantity";

    // The reservation's own guard: a reserved order's payment cannot take more than was set aside.
    private const string DeductReservedSql =
        "UPDATE inventory_products SET reserved = reserved - @Quantity, deducted = deducted + @Quantity WHERE sku = @Sku AND reserved >= @Quantity";

    private const string ReserveSql =
        "UPDATE inventory_products SET available = available - @Quantity, reserved = reserved + @Quantity WHERE sku = @Sku AND available >= @Quantity";

    private const string ReleaseSql =
        "UPDATE inventory_products SET available = available + @Quantity, reserved = reserved - @Quantity WHERE sku = @Sku AND reserved >= @Quantity";

    private const string ReservedSql = "SELECT sku AS Sku, reserved AS Reserved FROM inventory_products WHERE reserved <> 0";

    private const string DeductedSql = "SELECT sku AS Sku, deducted AS Deducted FROM inventory_products WHERE deducted <> 0";

    public async Task<IReadOnlyDictionary<string, decimal>> GetPricesAsync(IReadOnlyCollection<string> skus, CancellationToken ct)
    {
        await using var connection = await inventory.Db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Sku, decimal Price)>(
            new CommandDefinition(PricesSql, new { Skus = skus }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Sku, r => r.Price, StringComparer.Ordinal);
    }

    public IReadOnlyList<DbBatchCommand> CreateDeductCommands(IReadOnlyList<StockLine> lines) => Commands(DeductSql, lines);

    public IReadOnlyList<DbBatchCommand> CreateDeductReservedCommands(IReadOnlyList<StockLine> lines) => Commands(DeductReservedSql, lines);

    public DbBatchCommand CreateReserveCommand(string sku, int quantity) => Command(ReserveSql, new StockLine(sku, quantity));

    public DbBatchCommand CreateReleaseCommand(string sku, int quantity) => Command(ReleaseSql, new StockLine(sku, quantity));

    public async Task<IReadOnlyDictionary<string, long>> GetReservedAsync(DbTransaction transaction, CancellationToken ct)
    {
        var tx = (MySqlTransaction)transaction;
        var rows = await tx.Connection!.QueryAsync<(string Sku, long Reserved)>(new CommandDefinition(ReservedSql, transaction: tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Sku, r => r.Reserved, StringComparer.Ordinal);
    }

    private static DbBatchCommand[] Commands(string sql, IReadOnlyList<StockLine> lines)
    {
        // A fixed SKU order keeps two multi-line payments from deadlocking.
        var commands = new DbBatchCommand[lines.Count];
        var i = 0;
        foreach (var line in lines.OrderBy(l => l.Sku, StringComparer.Ordinal))
        {
            commands[i++] = Command(sql, line);
        }
        return commands;
    }

    private static MySqlBatchCommand Command(string sql, StockLine line) => new(sql)
    {
        Parameters = { new MySqlParameter("@Quantity", line.Quantity), new MySqlParameter("@Sku", line.Sku) },
    };

    public async Task<IReadOnlyDictionary<string, long>> GetDeductedAsync(DbTransaction transaction, CancellationToken ct)
    {
        var tx = (MySqlTransaction)transaction;
        var rows = await tx.Connection!.QueryAsync<(string Sku, long Deducted)>(new CommandDefinition(DeductedSql, transaction: tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Sku, r => r.Deducted, StringComparer.Ordinal);
    }
}
