using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory;
using OrderSystem.Inventory.Contracts;
using OrderSystem.Marketing;
using Microsoft.Extensions.Options;
using OrderSystem.Order;
using OrderSystem.Order.Expiry;
using OrderSystem.Points;
using OrderSystem.Push;
using OrderSystem.Refunds;
using OrderSystem.Warehouse;
using OrderTag = OrderSystem.Order.ModuleTag;

namespace OrderSystem.Bench.SyncChain;

/// <summary>
/// A second, benchmark-only composition of the modules: the same catalog, order and payment endpoints, but the payment calls
/// Points, Marketing, Push and Warehouse inline. No broker and no relays; each step records itself in Order's fulfillment view
/// through Order's port, the same writes as in the product's one-process deployment.
/// </summary>
internal static class SyncChainHost
{
    /// <summary>Starts the host on a port the OS picks when it binds (no race with another process); its address is <c>Urls</c>.</summary>
    public static async Task<WebApplication> StartAsync(BenchOptions options, Costs costs)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.RepoRoot });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:OrderSystem"] = options.ConnectionString,
            ["ThirdParties:BaseUrl"] = options.Simulator.ToString(),
            // Quiet: the report goes to stdout.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        // The modules' own registrations (stores, Order's port, the gateways to the simulator, set to the run's costs); no bus, relay or hosted service is added.
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.AddInventoryModule();
        builder.AddRefundsModule();
        builder.AddOrderModule();
        builder.AddPointsModule();
        builder.AddMarketingModule();
        builder.AddPushModule();
        builder.AddWarehouseModule();
        builder.Services.AddSingleton<GrantPointsOnOrderPaid>();
        builder.Services.AddSingleton<IssueCouponOnOrderPaid>();
        builder.Services.AddSingleton<SendSmsOnOrderPaid>();
        builder.Services.AddSingleton<RequestShipmentOnOrderPaid>();
        builder.Services.AddSingleton(costs);
        builder.Services.AddSingleton<SyncChainSteps>();

        var app = builder.Build();
        // The synchronous chain is the article's design, which has no feed.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapGet("/health/live", () => Results.Ok());
        app.MapInventoryEndpoints();
        // A lambda, not the method group: ASP.NET's route analyzer cannot read a handler compiled in another assembly.
        app.MapPost("/api/orders", (HttpRequest http, ModuleStore<OrderTag> orders, IStock stock, IOptions<OrderOptions> window,
            TimeProvider clock, CancellationToken ct) => PlaceOrder.Handle(http, orders, stock, window, NoFeed, clock, ct));
        app.MapPost("/api/orders/{orderId}/payment", PayThroughSyncChain.Handle);
        await app.StartAsync();
        return app;
    }

    private static readonly IOptions<OrderSystem.Order.ChangeLog.OrderChangeLogOptions> NoFeed =
        Options.Create(new OrderSystem.Order.ChangeLog.OrderChangeLogOptions { Enabled = false });
}
