using Dapper;
using OrderSystem.FlashSales;
using OrderSystem.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrderSystem.Tests.FlashSales;

/// <summary>Base for flash sale tests on the shared system: an empty store and a clean database per test.</summary>
public abstract class FlashSaleTest
{
    internal static TestSystem System => GlobalSetup.System;

    internal static Api Api => System.Api;

    [SetUp]
    public async Task ResetBeforeEachTestAsync()
    {
        if (ResetsBeforeEachTest)
        {
            await ResetStoreAndDatabaseAsync();
        }
    }

    /// <summary>
    /// False for a fixture whose tests share what they set up and each prove that they changed nothing; it then resets
    /// the store and the database itself whenever it builds that setup.
    /// </summary>
    protected virtual bool ResetsBeforeEachTest => true;

    internal static async Task ResetStoreAndDatabaseAsync()
    {
        await FlashSaleApi.ClearStoreAsync(System.Get<IConnectionMultiplexer>(), System.Get<SaleStore>().KeyPattern);
        await System.ResetAsync();
    }

    internal static string Fresh(string prefix) => SystemTest.Fresh(prefix);

    internal static async Task<string> NewProductAsync(int available, decimal price = 9.99m)
    {
        var sku = Fresh("SKU");
        var reply = await Api.PutProductAsync(sku, price, available);
        Assert.That(reply.Status, Is.EqualTo(global::System.Net.HttpStatusCode.OK), reply.ToString());
        return sku;
    }

    internal static async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var connection = await System.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }

    internal static Task<(int Available, int Reserved)> StockAsync(string sku) => FlashSaleApi.StockAsync(CountAsync, sku);

    /// <summary>Ends an order's payment window now, and waits until the closer has expired it.</summary>
    internal static Task ExpireAsync(string orderId) => ExpireAsync(System, orderId);

    /// <inheritdoc cref="ExpireAsync(string)"/>
    internal static async Task ExpireAsync(TestSystem system, string orderId)
    {
        await using var connection = await system.OpenAsync();
        await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE order_orders SET expires_at = UTC_TIMESTAMP(6) WHERE id = @Id", new { Id = orderId });
        await Eventually.Until(() => system.Api.GetAsync($"/api/orders/{orderId}"), r => r.Json["status"]!.GetValue<string>() == "Expired",
            TimeSpan.FromSeconds(10), $"order {orderId} to expire");
    }
}
