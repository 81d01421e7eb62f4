using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;
using OrderSystem.Operations.Contracts;

namespace OrderSystem.Inventory;

/// <summary>Inventory owns products, prices and stock (tables prefixed inventory_).</summary>
public static class InventoryModule
{
    /// <summary>
    /// Order takes stock inside its payment transaction, through <see cref="IStock"/>; a cancelled paid order's stock comes
    /// back through this module's own queue and inbox (<see cref="ReturnStockOnOrderCancelled"/>). No outbox: nothing reports it.
    /// </summary>
    public static readonly ModuleDeclaration Declaration = new("Inventory") { Queue = "inventory", Inbox = "inventory_inbox" };

    public static IHostApplicationBuilder AddInventoryModule(this IHostApplicationBuilder builder)
    {
        if (builder.AddModule<ModuleTag>(Declaration))
        {
            builder.Services.AddSingleton<IStock, Stock>();
            builder.Services.AddSingleton<IReconciliationAudit, AuditStock>();
            builder.AddConsumers(bus => bus.AddConsumer<ReturnStockOnOrderCancelled, ReturnStockOnOrderCancelledDefinition>());
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
