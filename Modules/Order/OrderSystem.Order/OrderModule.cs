using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    /// <summary>The inbox is for Refunds' events (the feed's refund states); the fulfillment reports are idempotent upserts.</summary>
    public static readonly ModuleDeclaration Declaration = new("Order")
    {
        Queue = "order", Inbox = "order_inbox",
        Outbox = new("order_outbox", typeof(OrderPaid), typeof(OrderRefundRequested), typeof(OrderExpired), typeof(OrderCancelled),
            typeof(ReservedOrderCancelled), typeof(ReservedOrderExpired)),
    };

    /// <summary>
    /// Add it after Inventory, whose stock it changes inside its payment transaction, and after Refunds, whose refunds it
    /// creates inside the transactions that cause them.
    /// </summary>
    public static IHostApplicationBuilder AddOrderModule(this IHostApplicationBuilder builder)
    {
        if (!builder.AddModule<ModuleTag>(Declaration))
        {
            return builder;
        }
        RequireOnTheSameConnection(builder, "Inventory", "they share the payment transaction");
        RequireOnTheSameConnection(builder, "Refunds", "a refund is created in the transaction of its cause");
        builder.Services.TryAddSingleton<PaymentSignature>();
        builder.Services.AddSingleton<PaymentTransaction>();
        builder.Services.AddOptions<OrderOptions>().Bind(builder.Configuration.GetSection("Orders"))
            .Validate(o => o.PaymentWindowSeconds > 0 && o.ExpiryPollMs > 0 && o.ExpiryBatchSize is > 0 and <= 5000 && o.ExpiryClosers is > 0 and <= 16,
                "Orders: the window and poll must be positive, the batch 1-5000, the closers 1-16.")
            .ValidateOnStart();
        builder.Services.AddSingleton<LatePayment>();
        builder.Services.AddSingleton<StrayPayment>();
        builder.Services.AddSingleton<OrderCancellation>();
        builder.Services.AddSingleton<CloseDueOrders>();
        builder.Services.AddHostedService<OrderExpiryCloser>();
        builder.Services.AddSingleton<FulfillmentWrites>();
        builder.Services.AddSingleton<IFulfillmentRecorder, FulfillmentRecorder>();
        builder.Services.Configure<OrderChangeLogOptions>(builder.Configuration.GetSection("Feed"));
        builder.Services.AddSingleton<IOrderChangeLog, OrderChangeLog>(); // the order feed's source
        builder.Services.AddSingleton<RefundChangesInOrder>();
        builder.Services.AddSingleton<IReconciliationAudit, AuditOrders>();
        builder.Services.AddSingleton<IOrderOperations, OrderOperations>(); // the operator console's port
        builder.Services.AddSingleton<IReservedOrders, ReservedOrders>(); // flash sales' port
        builder.AddConsumers(bus =>
        {
            bus.AddConsumer<RecordRefundChanged, RecordRefundChangedDefinition>(); // the feed's refund states
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
        orders.MapPost("/{orderId}/cancellation", CancelOrder.Handle)
            .AcceptsJson<CancelOrder.Request>().Produces<CancelOrder.Response>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesDatabaseProblems();
        return app;
    }

    // Inventory's stock and Refunds' refunds are written on Order's own connection: they must share a process and a database.
    private static void RequireOnTheSameConnection(IHostApplicationBuilder builder, string moduleName, string why)
    {
        var module = ModuleCatalog.Of(builder).All.FirstOrDefault(m => m.Name == moduleName);
        if (module is null || !ModuleCatalog.Of(builder).IsEnabled(module))
        {
            throw new InvalidOperationException($"Order needs {moduleName} in the same process ({why}): enable both, and add {moduleName} first.");
        }
        if (builder.Configuration.ConnectionStringOf(module) != builder.Configuration.ConnectionStringOf(Declaration))
        {
            throw new InvalidOperationException(
                $"Order and {moduleName} must use one database connection ({why}): " +
                $"ConnectionStrings:Order and ConnectionStrings:{moduleName} must be equal (or both unset).");
        }
    }
}
