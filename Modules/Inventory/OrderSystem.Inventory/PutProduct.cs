using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;

namespace OrderSystem.Inventory;

/// <summary>Creates a product or resets its name, price and available stock (an admin operation).</summary>
internal static class PutProduct
{
    internal sealed record Request(string? Name, decimal? Price, int? Available);

    private const string Sql = """
        INSERT INTO inventory_products (sku, name, price, available, updated_at)
        VALUES (@Sku, @Name, @Price, @Available, @Now)
        ON DUPLICATE KEY UPDATE name = VALUES(name), price = VALUES(price), available = VALUES(available), updated_at = VALUES(updated_at)
        """;

    public static async Task<IResult> Handle(string sku, HttpRequest http, ModuleStore<ModuleTag> inventory, TimeProvider clock, CancellationToken ct)
    {
        var (request, problem) = await JsonBody.ReadAsync<Request>(http, ct);
        if (problem is not null)
        {
            return problem;
        }
        var errors = Validate(sku, request!);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var product = new Product(sku, request!.Name!.Trim(), request.Price!.Value, request.Available!.Value);
        await using var connection = await inventory.Db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(Sql,
            new { product.Sku, product.Name, product.Price, product.Available, Now = clock.UtcNowForDatabase() }, cancellationToken: ct));
        return TypedResults.Ok(product);
    }

    private static Dictionary<string, string[]> Validate(string sku, Request request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Skus.IsValid(sku))
        {
            errors["sku"] = [Skus.Message];
        }
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 200)
        {
            errors["name"] = ["Give a name of 1-200 characters."];
        }
        if (request.Price is not { } price || price <= 0 || price > 1_000_000 || price != Math.Round(price, 2))
        {
            errors["price"] = ["Give a price above 0 and at most 1000000, with at most 2 decimals."];
        }
        if (request.Available is not { } available || available < 0 || available > 1_000_000_000)
        {
            errors["available"] = ["Give the available stock, from 0 to 1000000000."];
        }
        return errors;
    }
}
