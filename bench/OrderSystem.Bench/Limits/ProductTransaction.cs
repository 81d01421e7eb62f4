using Microsoft.AspNetCore.Http.HttpResults;
using OrderSystem.Bench.Load;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory;
using OrderSystem.Order;
using OrderSystem.Refunds;
using OrderTag = OrderSystem.Order.ModuleTag;

namespace OrderSystem.Bench.Limits;

/// <summary>
/// The product's own payment work on the database, without HTTP and without anything running after it: the order read
/// and <see cref="PaymentTransaction"/> (status, stock, outbox row, COMMIT), called straight at the same concurrency as
/// the bare transaction. Between the two, the cost of the read and the outbox row; between this and the payment path
/// through HTTP, the cost of the web stack; the rest is what the asynchronous pipeline takes from the same cores.
/// </summary>
internal static class ProductTransaction
{
    public static async Task<LoadResult> RunAsync(
        BenchOptions options, IReadOnlyList<PlacedOrder> orders, TimeSpan duration, CancellationToken ct)
    {
        // The modules' own composition (Order's store, Inventory's IStock, Refunds' requests) without a web server or any background service.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.RepoRoot });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:OrderSystem"] = options.ConnectionString,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddInventoryModule();
        builder.AddRefundsModule();
        builder.AddOrderModule();
        await using var app = builder.Build();
        var db = app.Services.GetRequiredService<ModuleStore<OrderTag>>().Db;
        var payment = app.Services.GetRequiredService<PaymentTransaction>();

        return await LoadRun.RunAsync("product payment transaction", orders, options.Concurrency, duration, null, async (order, token) =>
        {
            await using var connection = await db.OpenAsync(token);
            var stored = await StoredOrder.LoadAsync(connection, order.OrderId, token);
            return stored is not null &&
                   await payment.PayAsync(connection, stored, $"limit-{order.OrderId:N}", token) is Ok<PayOrder.Response>;
        }, ct);
    }
}
