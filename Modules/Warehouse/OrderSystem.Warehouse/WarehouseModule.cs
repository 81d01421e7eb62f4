using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.ThirdParties;
using OrderSystem.Warehouse.Contracts;

namespace OrderSystem.Warehouse;

/// <summary>Warehouse asks the logistics system to ship paid orders (tables prefixed warehouse_).</summary>
public static class WarehouseModule
{
    public static readonly ModuleDeclaration Declaration = new("Warehouse")
    {
        Queue = "warehouse", Inbox = "warehouse_inbox", Outbox = new("warehouse_outbox", typeof(ShipmentRequested)),
        EffectTable = "warehouse_shipments", ReportedStep = "shipment",
    };

    public static IHostApplicationBuilder AddWarehouseModule(this IHostApplicationBuilder builder)
    {
        if (!builder.AddModule<ModuleTag>(Declaration))
        {
            return builder;
        }
        builder.AddThirdParty(LogisticsGateway.Party, LogisticsGateway.Resilience);
        builder.Services.AddSingleton<LogisticsGateway>();
        builder.Services.AddSingleton<HoldLookups>();
        builder.Services.AddSingleton<ShipmentStopper>();
        builder.Services.AddSingleton<IShipmentHold, ShipmentHold>();
        builder.AddConsumers(bus =>
        {
            bus.AddConsumer<RequestShipmentOnOrderPaid, RequestShipmentOnOrderPaidDefinition>();
            bus.AddConsumer<CancelShipmentOnOrderCancelled, CancelShipmentOnOrderCancelledDefinition>();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapWarehouseEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.IsModuleEnabled(Declaration))
        {
            app.MapGet("/api/shipments", GetShipments.Handle).WithTags(Declaration.Name)
                .Produces<List<GetShipments.Shipment>>().ProducesValidationProblem().ProducesDatabaseProblems();
        }
        return app;
    }
}
