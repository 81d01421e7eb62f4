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
    /// For an order whose stock was reserved beforehand (a flash sale's): the deduction of every line from the reservation
    /// instead of from available stock, for the caller's batch, with the same all-or-nothing row count as
    /// <see cref="CreateDeductCommands"/>.
    /// </summary>
    IReadOnlyList<DbBatchCommand> CreateDeductReservedCommands(IReadOnlyList<StockLine> lines);

    /// <summary>
    /// Moves <paramref name="quantity"/> of a SKU from available stock into the reservation, for the caller's batch: it
    /// changes its one row, or nothing when fewer are available (or the SKU is unknown).
    /// </summary>
    DbBatchCommand CreateReserveCommand(string sku, int quantity);

    /// <summary>
    /// Gives <paramref name="quantity"/> of a SKU's reservation back to available stock, for the caller's batch: it changes
    /// its one row, or nothing when the reservation holds fewer.
    /// </summary>
    DbBatchCommand CreateReleaseCommand(string sku, int quantity);

    /// <summary>The reservation per SKU (SKUs with none are absent), read inside the caller's transaction. For reconciliation.</summary>
    Task<IReadOnlyDictionary<string, long>> GetReservedAsync(DbTransaction transaction, CancellationToken ct);

    /// <summary>
    /// The total quantity ever deducted per SKU (SKUs never deducted are absent), read inside the caller's transaction
    /// so that it and the caller's own reads come from one snapshot. For reconciliation.
    /// </summary>
    Task<IReadOnlyDictionary<string, long>> GetDeductedAsync(DbTransaction transaction, CancellationToken ct);
}

/// <summary>A quantity of one SKU.</summary>
public sealed record StockLine(string Sku, int Quantity);
