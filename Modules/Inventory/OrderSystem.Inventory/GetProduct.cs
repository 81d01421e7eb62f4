using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;

namespace OrderSystem.Inventory;

internal static class GetProduct
{
    private const string Sql = """
        SELECT sku AS Sku, name AS Name, price AS Price, available AS Available
        FROM inventory_products WHERE sku = @Sku
        """;

    public static async Task<IResult> Handle(string sku, ModuleStore<ModuleTag> inventory, CancellationToken ct)
    {
        if (!Skus.IsValid(sku))
        {
            return Problems.Validation("sku", Skus.Message);
        }
        await using var connection = await inventory.Db.OpenAsync(ct);
        var product = await connection.QuerySingleOrDefaultAsync<Product>(new CommandDefinition(Sql, new { Sku = sku }, cancellationToken: ct));
        return product is null ? Problems.NotFound("Product", sku) : TypedResults.Ok(product);
    }
}
