namespace OrderSystem.FlashSales.Contracts;

/// <summary>FlashSales' read port for the operator console, on its own table and store.</summary>
public interface IFlashSaleOperations
{
    /// <summary>The sales not closed yet (ended ones wait for the closer), soonest ending first, with the units left in the store.</summary>
    Task<IReadOnlyList<OpenSale>> OpenSalesAsync(int max, CancellationToken ct);
}

/// <summary>A sale still open; <see cref="Remaining"/> is null when the store cannot be read (or has not loaded the sale).</summary>
public sealed record OpenSale(string SaleId, string Sku, int Units, int? Remaining, DateTime StartsAt, DateTime EndsAt);
