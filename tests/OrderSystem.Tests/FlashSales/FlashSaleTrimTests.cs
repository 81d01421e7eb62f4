using System.Net;
using OrderSystem.FlashSales;
using OrderSystem.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrderSystem.Tests.FlashSales;

/// <summary>
/// A settled sale's keys trimmed from the store (decision 0025): nothing of it left, its sale and tickets still answered
/// from the database, the reconciliation still exact; never while its requests are in flight; two trimmers at once harmless;
/// writers gone from the stream's group removed.
/// The trims are run by the test (FlashSales:TrimAfter zero); the host's own trimmer waits an hour.
/// </summary>
public sealed class FlashSaleTrimTests : FlashSaleTest
{
    private static SaleStore Store => System.Get<SaleStore>();

    [Test]
    public async Task A_settled_sale_leaves_no_key_behind_and_its_sale_and_tickets_still_answer_from_the_database()
    {
        var sku = await NewProductAsync(available: 10);
        await Api.DefineAsync("trimmed", sku, units: 5, price: 2.00m);
        var tickets = new List<string>();
        foreach (var buyer in new[] { "payer", "lapser", "waiter" })
        {
            tickets.Add(FlashSaleApi.TicketOf(await Api.RequestAsync("trimmed", buyer)));
        }
        await Api.WaitUntilWrittenAsync("trimmed", tickets);
        Assert.That((await Api.PayAsync(tickets[0], "pay-trimmed", 2.00m)).Status, Is.EqualTo(HttpStatusCode.OK));
        await ExpireAsync(tickets[1]);
        await EndNowAsync("trimmed");

        // The lapsed unit's return may still be on its way: the sale is trimmed once it is recorded.
        await Eventually.Until(TrimNowAsync, t => t.Contains("trimmed"), TimeSpan.FromSeconds(20), "the settled sale to be trimmed");

        Assert.That(await KeysOfAsync("trimmed"), Is.Empty, "no key of the sale is left");
        Assert.That(await FlashSaleApi.QueuedAsync(Store.Db, Store.Stream, "trimmed"), Is.Zero, "no request of it in the stream");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM flashsales_sales WHERE id = 'trimmed' AND trimmed_at IS NOT NULL"), Is.EqualTo(1));
        var sale = await Api.GetAsync("/api/flash-sales/trimmed");
        Assert.That((sale.Status, sale.Json["units"]!.GetValue<int>(), sale.Json["remaining"]!.GetValue<int>()), Is.EqualTo((HttpStatusCode.OK, 5, 0)));
        foreach (var ticket in tickets)
        {
            var reply = await Api.GetAsync($"/api/flash-sales/trimmed/tickets/{ticket}");
            Assert.That((reply.Status, reply.Json["status"]!.GetValue<string>(), reply.Json["orderId"]!.GetValue<string>()),
                Is.EqualTo((HttpStatusCode.OK, "Ordered", ticket)), reply.ToString());
        }
        var unknown = await Api.GetAsync($"/api/flash-sales/trimmed/tickets/{Guid.NewGuid()}");
        Assert.That((unknown.Status, unknown.MediaType), Is.EqualTo((HttpStatusCode.NotFound, "application/problem+json")));
        // Paid 1; the lapsed 1 and the 2 left went back (the lapsed one to the sale or, once it closed, to the product).
        await Eventually.Until(() => StockAsync(sku), s => s == (8, 1), TimeSpan.FromSeconds(15), "only the waiter's unit to stay reserved");
        await Api.WaitUntilReconciledAsync();

        // An order lapsing after the trim gives its unit to the product, and brings no key back.
        await ExpireAsync(tickets[2]);
        await Eventually.Until(() => StockAsync(sku), s => s == (9, 0), TimeSpan.FromSeconds(15), "the last unit to go back to the product");
        Assert.That(await KeysOfAsync("trimmed"), Is.Empty, "a return after the trim writes nothing to the store");
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task A_sale_whose_requests_are_still_pending_is_not_trimmed_until_they_are_written()
    {
        var sku = await NewProductAsync(available: 5);
        await Api.DefineAsync("pending", sku, units: 5);
        var held = await HoldWritesAsync(TimeSpan.FromSeconds(60));
        var tickets = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            tickets.Add(FlashSaleApi.TicketOf(await Api.RequestAsync("pending", $"buyer-{i}")));
        }
        // The writer read them and holds them unacknowledged, waiting for a write budget the test keeps spent.
        await Eventually.Until(WriterPendingAsync, n => n == 2, TimeSpan.FromSeconds(10), "the writer to hold both requests");
        await EndNowAsync("pending");

        var early = await TrimNowAsync();

        Assert.That(early, Is.Empty, "a sale with requests in flight is not trimmed");
        Assert.That(await Store.ReadAsync("pending"), Is.Not.Null, "its keys are all there");
        Assert.That((await Api.GetAsync($"/api/flash-sales/pending/tickets/{tickets[0]}")).Json["status"]!.GetValue<string>(), Is.EqualTo("Pending"));

        await Store.Db.KeyDeleteAsync(held);
        await Api.WaitUntilWrittenAsync("pending", tickets);
        await Eventually.Until(TrimNowAsync, t => t.Contains("pending"), TimeSpan.FromSeconds(20), "the sale to be trimmed once written");
        Assert.That(await KeysOfAsync("pending"), Is.Empty);
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_orders"), Is.EqualTo(2), "each request became one order");
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task Two_trimmers_at_once_trim_a_sale_once_and_a_trim_again_changes_nothing()
    {
        var sku = await NewProductAsync(available: 5);
        await Api.DefineAsync("raced", sku, units: 5, perUserLimit: 2);
        await Api.WaitUntilWrittenAsync("raced", [FlashSaleApi.TicketOf(await Api.RequestAsync("raced", "racer", quantity: 2))]);
        await EndNowAsync("raced");
        await Eventually.Until(() => FlashSaleApi.QueuedAsync(Store.Db, Store.Stream, "raced"), n => n == 0, TimeSpan.FromSeconds(10),
            "the writer to have deleted the sale's requests from the stream");

        // Two hosts' trimmers are two callers sharing nothing but the database and the store.
        var both = await Task.WhenAll(Task.Run(TrimNowAsync), Task.Run(TrimNowAsync));
        var again = await TrimNowAsync();

        Assert.That(both.SelectMany(t => t), Is.EqualTo(new[] { "raced" }), "exactly one of them claimed the sale");
        Assert.That(again, Is.Empty);
        Assert.That(await KeysOfAsync("raced"), Is.Empty);
        Assert.That(await CountAsync("SELECT units_admitted FROM flashsales_sales WHERE id = 'raced' AND trimmed_at IS NOT NULL"), Is.EqualTo(2));
        Assert.That(await Api.RemainingAsync("raced"), Is.Zero);
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task Reconciliation_still_finds_drift_in_a_trimmed_sale_and_a_store_that_lost_an_untrimmed_one()
    {
        var sku = await NewProductAsync(available: 10);
        await Api.DefineAsync("drifted", sku, units: 5);
        await Api.DefineAsync("lost", sku, units: 5);
        string[] tickets = [FlashSaleApi.TicketOf(await Api.RequestAsync("drifted", "a")), FlashSaleApi.TicketOf(await Api.RequestAsync("drifted", "b"))];
        await Api.WaitUntilWrittenAsync("drifted", tickets);
        await EndNowAsync("drifted");
        await Eventually.Until(TrimNowAsync, t => t.Contains("drifted"), TimeSpan.FromSeconds(20), "the ended sale to be trimmed");
        await Api.WaitUntilReconciledAsync();

        // A written ticket of the trimmed sale vanishes from the database, and the store loses the open sale.
        await using (var connection = await System.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "DELETE FROM flashsales_tickets WHERE ticket_id = @Id", new { Id = tickets[0] });
        }
        await Store.Db.KeyDeleteAsync(Store.SaleKeys("lost"));

        var audit = await Api.SendRawAsync(HttpMethod.Get, "/api/admin/reconciliation", null, ("X-Api-Key", TestSettings.AdminKey));
        var findings = audit.Json["findings"]!.AsArray().Select(f => (f!["check"]!.GetValue<string>(), f["subject"]!.GetValue<string>())).Order().ToList();
        Assert.That(findings, Is.EqualTo(new[] { ("flash-sale-not-in-store", "lost"), ("flash-tickets-unwritten", "drifted") }), audit.ToString());
    }

    [Test]
    public async Task A_writer_gone_from_the_stream_group_is_removed_and_the_live_writer_keeps_writing()
    {
        var sku = await NewProductAsync(available: 2);
        await Api.DefineAsync("writers", sku, units: 2);
        await Api.WaitUntilWrittenAsync("writers", [FlashSaleApi.TicketOf(await Api.RequestAsync("writers", "first"))]);
        await Store.Db.ExecuteAsync("XGROUP", "CREATECONSUMER", Store.Stream, SaleStore.WriterGroup, "gone-writer");
        await Eventually.Until(() => Store.Db.StreamConsumerInfoAsync(Store.Stream, SaleStore.WriterGroup),
            c => c.Any(w => w.Name == "gone-writer" && w.IdleTimeInMilliseconds > 500), TimeSpan.FromSeconds(10), "the gone writer to be idle");

        var removed = await System.Get<StaleWriters>().RemoveAsync(TimeSpan.FromMilliseconds(500));

        Assert.That(removed, Is.GreaterThanOrEqualTo(1));
        Assert.That((await Store.Db.StreamConsumerInfoAsync(Store.Stream, SaleStore.WriterGroup)).Select(c => c.Name.ToString()), Has.No.Member("gone-writer"));
        await Api.WaitUntilWrittenAsync("writers", [FlashSaleApi.TicketOf(await Api.RequestAsync("writers", "second"))]);
        await Api.WaitUntilReconciledAsync();
    }

    private static Task<IReadOnlyList<string>> TrimNowAsync() => System.Get<SaleTrimmer>().TrimSettledAsync(TimeSpan.Zero, CancellationToken.None);

    private static Task<List<string>> KeysOfAsync(string saleId) =>
        FlashSaleApi.KeysAsync(System.Get<IConnectionMultiplexer>(), Store.SaleKeyPattern(saleId));

    private static async Task<long> WriterPendingAsync()
    {
        try
        {
            return (await Store.Db.StreamPendingAsync(Store.Stream, SaleStore.WriterGroup)).PendingMessageCount;
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return 0; // the set-up emptied the store: the writer makes its group again on its next read
        }
    }

    /// <summary>Ends the sale now in both places (its window as if the time had come), then waits for the closer.</summary>
    private static async Task EndNowAsync(string saleId)
    {
        await using (var connection = await System.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE flashsales_sales SET ends_at = UTC_TIMESTAMP(6) WHERE id = @Id", new { Id = saleId });
        }
        await Store.Db.HashSetAsync(Store.Sale(saleId), "ends", SaleStore.ToMs(DateTime.UtcNow));
        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM flashsales_sales WHERE id = @Id AND closed_at IS NOT NULL", new { Id = saleId }),
            n => n == 1, TimeSpan.FromSeconds(15), $"sale {saleId} to be closed");
    }

    // Spends the writers' shared budget of every second ahead: they read requests and hold them, unacknowledged, until
    // the keys answered are deleted (or expire).
    private static async Task<RedisKey[]> HoldWritesAsync(TimeSpan span)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var keys = new List<RedisKey>();
        for (var second = now - 1; second <= now + (long)span.TotalSeconds; second++)
        {
            keys.Add(Store.WriteBudget(second));
            await Store.Db.StringSetAsync(keys[^1], int.MaxValue, TimeSpan.FromSeconds(second - now + 5));
        }
        return [.. keys];
    }
}
