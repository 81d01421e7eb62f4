using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Inbox;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Operations;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.BuildingBlocks.Simulation;
using OrderSystem.Warehouse.Contracts;

namespace OrderSystem.Warehouse;

/// <summary>Warehouse asks the logistics system to ship paid orders (tables prefixed warehouse_).</summary>
public static class WarehouseModule
{
    public const string Name = "Warehouse";

    internal static readonly InboxTable Inbox = new("warehouse_inbox");

    public static IHostApplicationBuilder AddWarehouseModule(this IHostApplicationBuilder builder)
    {
        if (!builder.Configuration.IsModuleEnabled(Name))
        {
            return builder;
        }
        builder.Services.Configure<SimulatedLatencyOptions>(LogisticsGateway.Name, builder.Configuration.GetSection("Simulation:Logistics"));
        builder.Services.AddSingleton<LogisticsGateway>();
        builder.AddOutbox<ModuleTag>("warehouse_outbox", typeof(ShipmentRequested));
        builder.AddInbox(Inbox);
        builder.AddEffectAudit(Name, "warehouse_shipments", "warehouse_outbox");
        builder.AddConsumers(bus => bus.AddConsumer<RequestShipmentOnOrderPaid, RequestShipmentOnOrderPaidDefinition>());
        return builder;
    }

    public static IEndpointRouteBuilder MapWarehouseEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.IsModuleEnabled(Name))
        {
            app.MapGet("/api/shipments", GetShipments.Handle).WithTags(Name)
                .Produces<List<GetShipments.Shipment>>().ProducesValidationProblem().ProducesDatabaseProblems();
        }
        return app;
    }
}
