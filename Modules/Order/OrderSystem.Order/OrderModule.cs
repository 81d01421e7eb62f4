using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Operations.Contracts;
using OrderSystem.Order.ChangeLog;
using OrderSystem.Order.Contracts;
using OrderSystem.Order.Expiry;
using OrderSystem.Order.Fulfillment;

namespace OrderSystem.Order;

/// <summary>Order owns orders, their payment and their fulfillment view (tables prefixed order_).</summary>
public static class OrderModule
{
    /// <summary>No inbox: the fulfillment reports it consumes are idempotent upserts.</summary>
    public static readonly ModuleDeclaration Declaration = new("Order")
    {
        Queue = "order",
        Outbox = new("order_outbox", typeof(OrderPaid), typeof(OrderRefundRequested), typeof(OrderExpired)),
    };

    /// <summary>Add it after Inventory, whose stock it changes inside its payment transaction.</summary>
    public static IHostApplicationBuilder AddOrderModule(this IHostApplicationBuilder builder)
    {
        if (!builder.AddModule<ModuleTag>(Declaration))
        {
            return builder;
        }
        RequireInventoryOnTheSameConnection(builder);
        builder.Services.AddSingleton<PaymentSignature>();
        builder.Services.AddSingleton<PaymentTransaction>();
        builder.Services.AddOptions<OrderOptions>().Bind(builder.Configuration.GetSection("Orders"))
            .Validate(o => o.PaymentWindowSeconds > 0 && o.ExpiryPollMs > 0 && o.ExpiryBatchSize is > 0 and <= 5000 && o.ExpiryClosers is > 0 and <= 16,
                "Orders: the window and poll must be positive, the batch 1-5000, the closers 1-16.")
            .ValidateOnStart();
        builder.Services.AddSingleton<LatePayment>();
        builder.Services.AddSingleton<CloseDueOrders>();
        builder.Services.AddHostedService<OrderExpiryCloser>();
        builder.Services.AddSingleton<FulfillmentWrites>();
        builder.Services.AddSingleton<IFulfillmentRecorder, FulfillmentRecorder>();
        builder.Services.Configure<OrderChangeLogOptions>(builder.Configuration.GetSection("Feed"));
        builder.Services.AddSingleton<IOrderChangeLog, OrderChangeLog>(); // the order feed's source
        builder.Services.AddSingleton<IReconciliationAudit, AuditOrders>();
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
        if (!app.IsModuleEnabled(Declaration))
        {
            return app;
        }
        var orders = app.MapGroup("/api/orders").WithTags(Declaration.Name);
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

    // The payment transaction deducts stock on Order's own connection: the two must share a process and a database.
    private static void RequireInventoryOnTheSameConnection(IHostApplicationBuilder builder)
    {
        var inventory = ModuleCatalog.Of(builder).All.FirstOrDefault(m => m.Name == "Inventory");
        if (inventory is null || !ModuleCatalog.Of(builder).IsEnabled(inventory))
        {
            throw new InvalidOperationException("Order needs Inventory in the same process: enable both, and add Inventory first.");
        }
        if (builder.Configuration.ConnectionStringOf(inventory) != builder.Configuration.ConnectionStringOf(Declaration))
        {
            throw new InvalidOperationException(
                "Order and Inventory share the payment transaction, so they must use one database connection: " +
                "ConnectionStrings:Order and ConnectionStrings:Inventory must be equal (or both unset).");
        }
    }
}
