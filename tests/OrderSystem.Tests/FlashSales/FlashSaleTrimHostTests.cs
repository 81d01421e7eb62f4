using System.Net;
using OrderSystem.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrderSystem.Tests.FlashSales;

/// <summary>The trimmers of two host processes, on their own schedule (FlashSales:TrimAfter zero), after a sale has ended.</summary>
[Category("Slow")]
public sealed class FlashSaleTrimHostTests
{
    [Test]
    public async Task Two_hosts_trim_an_ended_sale_once_it_settles_and_it_still_answers_from_either()
    {
        var system = await ProcessSystem.CreateAsync("flashtrim");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestSettings.Configuration["ConnectionStrings:Redis"] ?? "127.0.0.1:6390");
        var prefix = "flashsales:" + system.Database;
        await FlashSaleApi.ClearStoreAsync(redis, prefix + ":*");
        (string, string)[] settings = [("FlashSales__TrimAfter", "00:00:00"), ("FlashSales__TrimPollMs", "100"), ("FlashSales__CloserPollMs", "100")];
        await using var first = system.Host("flash-trim-a", settings);
        await using var second = system.Host("flash-trim-b", settings);
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        await Task.WhenAll(first.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)), second.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)));
        await first.Api.PutProductAsync("SKU-TRIM", 1.00m, 20);
        Assert.That((await first.Api.DefineAsync("trim", "SKU-TRIM", units: 10, price: 5.00m)).Status, Is.EqualTo(HttpStatusCode.OK));

        Api[] apis = [first.Api, second.Api];
        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => apis[i % 2].RequestAsync("trim", $"buyer-{i}")));
        var tickets = replies.Select(FlashSaleApi.TicketOf).ToList();
        await first.Api.WaitUntilWrittenAsync("trim", tickets);
        Assert.That((await second.Api.PayAsync(tickets[0], "pay-trim", 5.00m)).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await redis.GetDatabase().KeyExistsAsync($"{prefix}:{{trim}}:sale"), "an open sale is never trimmed");

        // The sale's window ends now, in the database and in the store, as if its time had come.
        await using (var connection = await system.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE flashsales_sales SET ends_at = UTC_TIMESTAMP(6) WHERE id = 'trim'");
        }
        await redis.GetDatabase().HashSetAsync($"{prefix}:{{trim}}:sale", "ends", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await Eventually.Until(() => system.CountAsync("SELECT COUNT(*) FROM flashsales_sales WHERE id = 'trim' AND trimmed_at IS NOT NULL"),
            n => n == 1, TimeSpan.FromSeconds(30), "a host to trim the ended sale");

        Assert.That(await FlashSaleApi.KeysAsync(redis, $"{prefix}:{{trim}}:*"), Is.Empty, "no key of the sale is left");
        Assert.That(await second.Api.RemainingAsync("trim"), Is.Zero);
        var statuses = await second.Api.WaitUntilWrittenAsync("trim", tickets);
        Assert.That(statuses.Values, Is.All.EqualTo("Ordered"));
        Assert.That(await system.CountAsync("SELECT available FROM inventory_products WHERE sku = 'SKU-TRIM'"), Is.EqualTo(14),
            "10 set aside, 6 ordered: the 4 left went back to the product");
        await first.Api.WaitUntilReconciledAsync();
    }
}
