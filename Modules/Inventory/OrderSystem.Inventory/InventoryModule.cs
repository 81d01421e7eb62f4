using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;
using OrderSystem.Operations.Contracts;

namespace OrderSystem.Inventory;

/// <summary>Inventory owns products, prices and stock (tables prefixed inventory_).</summary>
public static class InventoryModule
{
    /// <summary>No queue, outbox or inbox: Order changes stock inside its payment transaction, through <see cref="IStock"/>.</summary>
    public static readonly ModuleDeclaration Declaration = new("Inventory");

    public static IHostApplicationBuilder AddInventoryModule(this IHostApplicationBuilder builder)
    {
        if (builder.AddModule<ModuleTag>(Declaration))
        {
            builder.Services.AddSingleton<IStock, Stock>();
            builder.Services.AddSingleton<IReconciliationAudit, AuditStock>();
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapInventoryEndpoints(this IEndpointRouteBuilder app)
    {
        if (!app.IsModuleEnabled(Declaration))
        {
            return app;
        }
        app.MapGet("/api/inventory/{sku}", GetProduct.Handle).WithTags(Declaration.Name)
            .Produces<Product>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesDatabaseProblems();
        app.MapAdminGroup("/inventory").MapPut("/{sku}", PutProduct.Handle).WithTags(Declaration.Name)
            .AcceptsJson<PutProduct.Request>().Produces<Product>().ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesDatabaseProblems();
        return app;
    }
}
