using System.Data.Common;

namespace OrderSystem.Inventory.Contracts;

/// <summary>
/// Inventory's in-process port for the Order module. The stock SQL stays inside Inventory; Order hands over its open
/// transaction so that the stock deduction commits or rolls back with the payment. This is the one seam to redesign
/// (a reservation protocol) if Inventory ever runs in another process.
/// </summary>
public interface IStock
{
    /// <summary>Current prices of the given SKUs; unknown SKUs are absent from the result.</summary>
    Task<IReadOnlyDictionary<string, decimal>> GetPricesAsync(IReadOnlyCollection<string> skus, CancellationToken ct);

    /// <summary>
    /// The deduction of every line as commands for the caller's own batch, so that stock moves in the same round trip and
    /// transaction as the caller's writes. Each command changes its one row when its line is deducted and nothing when
    /// stock is short (never below zero): when the batch's total of rows falls short, the caller must roll back.
    /// </summary>
    IReadOnlyList<DbBatchCommand> CreateDeductCommands(IReadOnlyList<StockLine> lines);

    /// <summary>
    /// The total quantity ever deducted per SKU (SKUs never deducted are absent), read inside the caller's transaction
    /// so that it and the caller's own reads come from one snapshot. For reconciliation.
    /// </summary>
    Task<IReadOnlyDictionary<string, long>> GetDeductedAsync(DbTransaction transaction, CancellationToken ct);
}

/// <summary>A quantity of one SKU.</summary>
public sealed record StockLine(string Sku, int Quantity);
