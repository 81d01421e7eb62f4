using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Operations;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Order.Contracts;
using OrderSystem.Order.Fulfilment;

namespace OrderSystem.Order;

/// <summary>Order owns orders, their payment and their fulfilment view (tables prefixed order_).</summary>
public static class OrderModule
{
    public const string Name = "Order";

    public static IHostApplicationBuilder AddOrderModule(this IHostApplicationBuilder builder)
    {
        if (!builder.Configuration.IsModuleEnabled(Name))
        {
            return builder;
        }
        if (!builder.Configuration.IsModuleEnabled("Inventory"))
        {
            // The payment transaction deducts stock on Order's own connection: the two must share a process.
            throw new InvalidOperationException("Modules:Enabled lists Order without Inventory; Order needs Inventory in the same process.");
        }
        builder.Services.AddSingleton<PaymentSignature>();
        builder.Services.AddSingleton<PaymentTransaction>();
        builder.Services.AddSingleton<IFulfilmentRecorder, FulfilmentRecorder>();
        builder.Services.AddSingleton<IReconciliationAudit, AuditOrders>();
        builder.AddOutbox<ModuleTag>("order_outbox", typeof(OrderPaid), typeof(OrderRefundRequested));
        builder.AddConsumers(bus =>
        {
            bus.AddConsumer<RecordPointsGranted, OrderConsumerDefinition<RecordPointsGranted>>();
            bus.AddConsumer<RecordCouponIssued, OrderConsumerDefinition<RecordCouponIssued>>();
            bus.AddConsumer<RecordSmsSent, OrderConsumerDefinition<RecordSmsSent>>();
            bus.AddConsumer<RecordShipmentRequested, OrderConsumerDefinition<RecordShipmentRequested>>();
            bus.AddConsumer<RecordFailedStep, OrderConsumerDefinition<RecordFailedStep>>();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        if (!app.IsModuleEnabled(Name))
        {
            return app;
        }
        var orders = app.MapGroup("/api/orders").WithTags(Name);
        orders.MapPost("/", PlaceOrder.Handle)
            .AcceptsJson<PlaceOrder.Request>().Produces<PlaceOrder.Response>(StatusCodes.Status201Created).ProducesDatabaseProblems();
        orders.MapGet("/{orderId}", GetOrder.Handle)
            .Produces<GetOrder.Response>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesDatabaseProblems();
        orders.MapPost("/{orderId}/payment", PayOrder.Handle)
            .AddEndpointFilter<PaymentTelemetry>()
            .WithRequiredHeader("X-Signature", "sha256=<lowercase hex HMAC-SHA256 of the raw body with Payments:CallbackSecret>.")
            .AcceptsJson<PayOrder.Request>().Produces<PayOrder.Response>()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesDatabaseProblems();
        return app;
    }
}
