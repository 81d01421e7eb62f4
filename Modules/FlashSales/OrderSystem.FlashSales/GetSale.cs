using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.FlashSales.Contracts;
using StackExchange.Redis;

namespace OrderSystem.FlashSales;

/// <summary>GET /api/flash-sales/{saleId}: the sale's definition and the units still to be had (<c>remaining</c>, 0 once it has closed).</summary>
internal static class GetSale
{
    public static async Task<IResult> Handle(string saleId, ModuleStore<ModuleTag> flashSales, SaleStore store, CancellationToken ct)
    {
        if (!SaleIds.IsValid(saleId))
        {
            return SaleProblems.InvalidSaleId();
        }
        StoredSale? sale;
        await using (var connection = await flashSales.Db.OpenAsync(ct))
        {
            sale = await StoredSale.LoadAsync(connection, saleId, ct);
        }
        if (sale is null)
        {
            return Problems.NotFound("Sale", saleId);
        }
        try
        {
            return TypedResults.Ok(DefineSale.ToResponse(sale, sale.ClosedAt is null ? await store.ReadAsync(saleId) : null));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return SaleProblems.StoreUnavailable();
        }
    }
}
