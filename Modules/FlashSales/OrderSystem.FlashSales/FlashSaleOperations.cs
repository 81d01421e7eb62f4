using Dapper;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.FlashSales.Contracts;
using StackExchange.Redis;

namespace OrderSystem.FlashSales;

/// <summary>The console's view of the open sales: a range of the index (closed_at, ends_at), then each sale's counters.</summary>
internal sealed class FlashSaleOperations(ModuleStore<ModuleTag> flashSales, SaleStore store) : IFlashSaleOperations
{
    private const string OpenSql = """
        SELECT id AS SaleId, sku AS Sku, units AS Units, starts_at AS StartsAt, ends_at AS EndsAt
        FROM flashsales_sales WHERE closed_at IS NULL ORDER BY ends_at LIMIT @Max
        """;

    private sealed record Row(string SaleId, string Sku, int Units, DateTime StartsAt, DateTime EndsAt);

    public async Task<IReadOnlyList<OpenSale>> OpenSalesAsync(int max, CancellationToken ct)
    {
        List<Row> rows;
        await using (var connection = await flashSales.Db.OpenAsync(ct))
        {
            rows = (await connection.QueryAsync<Row>(new CommandDefinition(OpenSql, new { Max = max }, cancellationToken: ct))).AsList();
        }
        var sales = new List<OpenSale>(rows.Count);
        foreach (var row in rows)
        {
            sales.Add(new OpenSale(row.SaleId, row.Sku, row.Units, await RemainingAsync(row.SaleId), row.StartsAt, row.EndsAt));
        }
        return sales;
    }

    private async Task<int?> RemainingAsync(string saleId)
    {
        try
        {
            return (await store.ReadAsync(saleId))?.Left;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null; // the store is down: the figure is unknown, the rest of the overview is not
        }
    }
}
