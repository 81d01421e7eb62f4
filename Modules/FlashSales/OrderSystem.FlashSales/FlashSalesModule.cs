using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.FlashSales.Contracts;
using OrderSystem.Operations.Contracts;
using StackExchange.Redis;

namespace OrderSystem.FlashSales;

/// <summary>
/// Flash sales (tables prefixed flashsales_, and a Redis store): admission in the store, orders written from its stream at
/// a bounded rate, lapsed units given back (docs/flash-sales.md).
/// </summary>
public static class FlashSalesModule
{
    /// <summary>Consumes ReservedOrderExpired and ReservedOrderCancelled (units back) on its own queue, once each through its inbox.</summary>
    public static readonly ModuleDeclaration Declaration = new("FlashSales") { Queue = "flashsales", Inbox = "flashsales_inbox" };

    /// <summary>Add it after Order and Inventory, whose ports it writes through in its own transactions.</summary>
    public static IHostApplicationBuilder AddFlashSalesModule(this IHostApplicationBuilder builder)
    {
        if (!builder.AddModule<ModuleTag>(Declaration))
        {
            return builder;
        }
        foreach (var owner in new[] { "Order", "Inventory" })
        {
            var module = ModuleCatalog.Of(builder).All.FirstOrDefault(m => m.Name == owner);
            if (module is null || !ModuleCatalog.Of(builder).IsEnabled(module) ||
                builder.Configuration.ConnectionStringOf(module) != builder.Configuration.ConnectionStringOf(Declaration))
            {
                throw new InvalidOperationException(
                    $"FlashSales needs {owner} in the same process and on the same database connection (it writes orders and reservations in its own transactions): enable both, add {owner} first.");
            }
        }
        builder.Services.AddOptions<FlashSaleOptions>().Bind(builder.Configuration.GetSection("FlashSales"))
            .Validate(o => o.AdmissionsPerSecond > 0 && o.MaxAdmissionsInFlight > 0 && o.MaxOrderWritesPerSecond > 0 && o.WriteBatchSize is > 0 and <= 1000 &&
                           o.ClaimIdleMs >= 100 && o.WriteDelayMs >= 0 && o.WriterPollMs > 0 && o.CloserPollMs > 0 && o.TrimPollMs > 0 && o.TrimAfter >= TimeSpan.Zero && o.SoldOutMemoMs >= 0,
                "FlashSales: the rates, MaxAdmissionsInFlight, the poll intervals and ClaimIdleMs (at least 100) must be positive, the batch 1-1000, TrimAfter, WriteDelayMs and SoldOutMemoMs not negative.")
            .ValidateOnStart();
        var redis = builder.Configuration.GetConnectionString("Redis") ?? "127.0.0.1:6390";
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            // Started while the store is down, it connects once the store is up; meanwhile admissions answer 503.
            var configuration = ConfigurationOptions.Parse(redis);
            configuration.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(configuration);
        });
        builder.Services.AddSingleton<SaleStore>();
        builder.Services.AddSingleton<SoldOutMemo>();
        builder.Services.AddSingleton<UnitReturns>();
        builder.Services.AddSingleton<WriteTickets>();
        builder.Services.AddSingleton<OrderWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderWriter>());
        builder.Services.AddSingleton<SaleCloser>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SaleCloser>());
        builder.Services.AddSingleton<StaleWriters>();
        builder.Services.AddSingleton<SaleTrimmer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SaleTrimmer>());
        builder.Services.AddSingleton<IReconciliationAudit, AuditFlashSales>();
        builder.Services.AddSingleton<IFlashSaleOperations, FlashSaleOperations>(); // the operator console's view
        // Composes with the other limits of the host (the console's); UseRateLimiter() is in the pipeline once, for all.
        builder.Services.AddRateLimiter(limiter => limiter.AddPolicy<string, AdmissionRateLimit>(AdmissionRateLimit.Name));
        builder.AddConsumers(bus => bus.AddConsumer<ReturnUnitsOnOrderLapsed, ReturnUnitsOnOrderLapsedDefinition>());
        return builder;
    }

    public static IEndpointRouteBuilder MapFlashSalesEndpoints(this IEndpointRouteBuilder app)
    {
        if (!app.IsModuleEnabled(Declaration))
        {
            return app;
        }
        var sales = app.MapGroup("/api/flash-sales").WithTags(Declaration.Name);
        sales.MapGet("/{saleId}", GetSale.Handle)
            .Produces<DefineSale.Response>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        sales.MapPost("/{saleId}/orders", RequestOrder.Handle)
            .RequireRateLimiting(AdmissionRateLimit.Name)
            .AcceptsJson<RequestOrder.Request>().Produces<RequestOrder.Response>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        sales.MapGet("/{saleId}/tickets/{ticketId}", GetTicket.Handle)
            .Produces<GetTicket.Response>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesDatabaseProblems();
        app.MapAdminGroup("/flash-sales").MapPut("/{saleId}", DefineSale.Handle).WithTags(Declaration.Name)
            .AcceptsJson<DefineSale.Request>().Produces<DefineSale.Response>().ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesDatabaseProblems();
        return app;
    }
}
