using System.Net;
using Microsoft.Extensions.Options;
using OrderSystem.FlashSales;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.FlashSales;

/// <summary>A flash sale end to end on the real servers: definition, admission under concurrency, orders, payment, lapses, closing.</summary>
public sealed class FlashSaleTests : FlashSaleTest
{
    [Test]
    public async Task Defining_a_sale_takes_its_units_from_the_product_once_and_refuses_a_sale_the_product_cannot_cover()
    {
        var sku = await NewProductAsync(available: 100);
        var (startsAt, endsAt) = (DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddHours(1));

        var defined = await Api.DefineAsync("spring", sku, units: 30, perUserLimit: 2, startsAt: startsAt, endsAt: endsAt);
        var again = await Api.DefineAsync("spring", sku, units: 30, perUserLimit: 2, startsAt: startsAt, endsAt: endsAt);
        var changed = await Api.DefineAsync("spring", sku, units: 31, perUserLimit: 2, startsAt: startsAt, endsAt: endsAt);
        var tooBig = await Api.DefineAsync("summer", sku, units: 71);

        Assert.That(defined.Status, Is.EqualTo(HttpStatusCode.OK), defined.ToString());
        Assert.That(defined.Json["remaining"]!.GetValue<int>(), Is.EqualTo(30));
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), "the same definition again answers the same");
        Assert.That((changed.Status, changed.Json["type"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.Conflict, FlashSaleApi.Problem + "sale-exists")));
        Assert.That((tooBig.Status, tooBig.Json["type"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.Conflict, FlashSaleApi.Problem + "insufficient-stock")));
        Assert.That(await StockAsync(sku), Is.EqualTo((70, 30)), "30 units reserved once; the refused sale took nothing");
        Assert.That(await Api.RemainingAsync("spring"), Is.EqualTo(30));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM flashsales_sales"), Is.EqualTo(1));
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task Three_hundred_concurrent_buyers_for_fifty_units_get_exactly_fifty_tickets_and_fifty_orders()
    {
        var sku = await NewProductAsync(available: 50);
        await Api.DefineAsync("wave", sku, units: 50, price: 3.50m);

        var replies = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() => Api.RequestAsync("wave", $"buyer-{i}"))));

        var admitted = replies.Where(r => r.Status == HttpStatusCode.Accepted).ToList();
        Assert.That(admitted, Has.Count.EqualTo(50));
        Assert.That(replies.Where(r => r.Status != HttpStatusCode.Accepted).Select(r => (r.Status, r.MediaType, r.Json["type"]!.GetValue<string>())),
            Is.All.EqualTo((HttpStatusCode.Conflict, "application/problem+json", FlashSaleApi.Problem + "sold-out")));
        Assert.That(admitted.Select(r => r.Json["status"]!.GetValue<string>()), Is.All.EqualTo("Pending"));
        var statuses = await Api.WaitUntilWrittenAsync("wave", [.. admitted.Select(FlashSaleApi.TicketOf)]);
        Assert.That(statuses.Values, Is.All.EqualTo("Ordered"));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_orders WHERE stock_reserved = 1 AND status = 'Created' AND total_amount = 3.50"),
            Is.EqualTo(50), "one order per ticket, at the sale's price");
        Assert.That(await Api.RemainingAsync("wave"), Is.Zero);
        Assert.That(await StockAsync(sku), Is.EqualTo((0, 50)));
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task A_ticket_becomes_an_order_no_sooner_than_the_write_delay_after_its_admission()
    {
        var delayMs = System.Get<IOptions<FlashSaleOptions>>().Value.WriteDelayMs;
        Assert.That(delayMs, Is.Positive, "the shared system runs with the product's default delay");
        var sku = await NewProductAsync(available: 3);
        await Api.DefineAsync("patient", sku, units: 3);

        var tickets = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            tickets.Add(FlashSaleApi.TicketOf(await Api.RequestAsync("patient", $"buyer-{i}")));
        }

        Assert.That((await Api.WaitUntilWrittenAsync("patient", tickets)).Values, Is.All.EqualTo("Ordered"));
        var soonestMs = await CountAsync("SELECT MIN(TIMESTAMPDIFF(MICROSECOND, admitted_at, written_at)) DIV 1000 FROM flashsales_tickets WHERE sale_id = 'patient'");
        Assert.That(soonestMs, Is.GreaterThanOrEqualTo(delayMs), "written at once, the orders would land in the admissions' burst");
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task One_buyer_asking_forty_times_at_once_never_holds_more_than_the_limit()
    {
        var sku = await NewProductAsync(available: 100);
        await Api.DefineAsync("limited", sku, units: 100, perUserLimit: 3);

        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => Api.RequestAsync("limited", "greedy"))));

        Assert.That(replies.Count(r => r.Status == HttpStatusCode.Accepted), Is.EqualTo(3));
        Assert.That(replies.Where(r => r.Status != HttpStatusCode.Accepted).Select(r => r.Json["type"]!.GetValue<string>()),
            Is.All.EqualTo(FlashSaleApi.Problem + "limit-reached"));
        var twoMore = await Api.RequestAsync("limited", "greedy", quantity: 2);
        Assert.That(twoMore.Json["type"]!.GetValue<string>(), Is.EqualTo(FlashSaleApi.Problem + "limit-reached"), twoMore.ToString());
        await Api.WaitUntilWrittenAsync("limited", [.. replies.Where(r => r.Status == HttpStatusCode.Accepted).Select(FlashSaleApi.TicketOf)]);
        Assert.That(await CountAsync("SELECT COALESCE(SUM(quantity), 0) FROM flashsales_tickets WHERE user_id = 'greedy'"), Is.EqualTo(3));
        Assert.That(await Api.RemainingAsync("limited"), Is.EqualTo(97));
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task A_flash_order_is_paid_through_the_normal_callback_from_its_reservation()
    {
        var sku = await NewProductAsync(available: 10);
        await Api.DefineAsync("paid", sku, units: 4, price: 2.25m, perUserLimit: 2);
        var ticket = FlashSaleApi.TicketOf(await Api.RequestAsync("paid", "payer", quantity: 2));
        await Api.WaitUntilWrittenAsync("paid", [ticket]);

        var ticketReply = (await Api.GetAsync($"/api/flash-sales/paid/tickets/{ticket}")).Json;
        var orderId = ticketReply["orderId"]!.GetValue<string>();
        var order = (await Api.GetAsync($"/api/orders/{orderId}")).Json;
        var paid = await Api.PayAsync(orderId, "pay-flash", 4.50m);

        Assert.That((order["status"]!.GetValue<string>(), order["totalAmount"]!.GetValue<decimal>()), Is.EqualTo(("Created", 4.50m)));
        Assert.That(order["expiresAt"]!.GetValue<DateTime>(), Is.GreaterThan(DateTime.UtcNow), "a normal order with a payment window");
        Assert.That(paid.Status, Is.EqualTo(HttpStatusCode.OK), paid.ToString());
        Assert.That(await StockAsync(sku), Is.EqualTo((6, 2)), "the payment took its 2 units from the reservation, not from available");
        await SystemTest.WaitUntilFulfilledAsync(orderId);
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task An_unpaid_flash_order_that_expires_gives_its_units_back_to_the_sale_and_its_buyer_may_ask_again()
    {
        var sku = await NewProductAsync(available: 2);
        await Api.DefineAsync("lapse", sku, units: 2, perUserLimit: 2);
        var ticket = FlashSaleApi.TicketOf(await Api.RequestAsync("lapse", "slow-payer", quantity: 2));
        Assert.That((await Api.RequestAsync("lapse", "other")).Json["type"]!.GetValue<string>(), Is.EqualTo(FlashSaleApi.Problem + "sold-out"));
        await Api.WaitUntilWrittenAsync("lapse", [ticket]);

        await ExpireAsync(ticket);

        await Eventually.Until(() => Api.RemainingAsync("lapse"), n => n == 2, TimeSpan.FromSeconds(15), "the 2 units to come back to the sale");
        var again = await Api.RequestAsync("lapse", "slow-payer", quantity: 2);
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.Accepted), "the buyer's allowance came back with the units: " + again);
        await Api.WaitUntilWrittenAsync("lapse", [FlashSaleApi.TicketOf(again)]);
        Assert.That(await CountAsync("SELECT COUNT(*) FROM flashsales_returns WHERE returned_to = 'sale'"), Is.EqualTo(1), "returned once");
        Assert.That(await StockAsync(sku), Is.EqualTo((0, 2)));
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task A_payment_after_a_flash_orders_window_is_refunded_and_its_units_still_come_back_once()
    {
        var sku = await NewProductAsync(available: 1);
        await Api.DefineAsync("late", sku, units: 1, price: 3.00m);
        var ticket = FlashSaleApi.TicketOf(await Api.RequestAsync("late", "late-payer"));
        await Api.WaitUntilWrittenAsync("late", [ticket]);
        await using (var connection = await System.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE order_orders SET expires_at = UTC_TIMESTAMP(6) WHERE id = @Id", new { Id = ticket });
        }

        // The payment and the closer race for the expiry: either one closes the order, and announces it once.
        var late = await Api.PayAsync(ticket, "pay-late-flash", 3.00m);

        Assert.That(late.Json["type"]!.GetValue<string>(), Is.EqualTo(FlashSaleApi.Problem + "order-expired"), late.ToString());
        await Eventually.Until(() => Api.RemainingAsync("late"), n => n == 1, TimeSpan.FromSeconds(15), "the unit to come back to the sale");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type LIKE '%.ReservedOrderExpired'"), Is.EqualTo(1));
        Assert.That(await StockAsync(sku), Is.EqualTo((0, 1)), "nothing was deducted");
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task A_cancelled_unpaid_flash_order_gives_its_units_back_too()
    {
        var sku = await NewProductAsync(available: 1);
        await Api.DefineAsync("cancel", sku, units: 1);
        var ticket = FlashSaleApi.TicketOf(await Api.RequestAsync("cancel", "changed-mind"));
        await Api.WaitUntilWrittenAsync("cancel", [ticket]);

        var cancelled = await Api.SendAsync(HttpMethod.Post, $"/api/orders/{ticket}/cancellation", new { reason = "changed my mind" });

        Assert.That(cancelled.Status, Is.EqualTo(HttpStatusCode.Accepted), cancelled.ToString());
        await Eventually.Until(() => Api.RemainingAsync("cancel"), n => n == 1, TimeSpan.FromSeconds(15), "the unit to come back to the sale");
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task A_sale_that_ends_gives_what_is_left_to_the_product_and_a_unit_lapsing_later_goes_there_too()
    {
        var sku = await NewProductAsync(available: 20);
        var endsAt = DateTime.UtcNow.AddSeconds(3);
        await Api.DefineAsync("short", sku, units: 10, perUserLimit: 5, endsAt: endsAt);
        var tickets = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            tickets.Add(FlashSaleApi.TicketOf(await Api.RequestAsync("short", $"early-{i}")));
        }
        await Api.WaitUntilWrittenAsync("short", tickets);

        await Eventually.Until(() => StockAsync(sku), s => s == (17, 3), TimeSpan.FromSeconds(15), "the 7 units left to go back to the product");
        var late = await Api.RequestAsync("short", "late");
        await ExpireAsync(tickets[0]);

        Assert.That(late.Json["type"]!.GetValue<string>(), Is.EqualTo(FlashSaleApi.Problem + "ended"), late.ToString());
        await Eventually.Until(() => StockAsync(sku), s => s == (18, 2), TimeSpan.FromSeconds(15), "the lapsed unit to go back to the product");
        Assert.That(await Api.RemainingAsync("short"), Is.Zero);
        Assert.That(await CountAsync("SELECT units_left_at_close FROM flashsales_sales WHERE id = 'short'"), Is.EqualTo(7), "closed once");
        await Api.WaitUntilReconciledAsync();
    }

    [Test]
    public async Task A_sale_not_yet_started_answers_not_started()
    {
        var sku = await NewProductAsync(available: 5);
        await Api.DefineAsync("later", sku, units: 5, startsAt: DateTime.UtcNow.AddHours(1), endsAt: DateTime.UtcNow.AddHours(2));

        var early = await Api.RequestAsync("later", "eager");

        Assert.That((early.Status, early.Json["type"]!.GetValue<string>()), Is.EqualTo((HttpStatusCode.Conflict, FlashSaleApi.Problem + "not-started")));
        Assert.That(await Api.RemainingAsync("later"), Is.EqualTo(5));
    }

    [Test]
    public async Task A_ticket_whose_sale_the_database_does_not_know_is_Rejected_and_its_units_go_back()
    {
        var sku = await NewProductAsync(available: 3);
        await Api.DefineAsync("vanishing", sku, units: 3, perUserLimit: 3);
        // The sale's row is gone (an operator's repair gone wrong): no order can be made for a ticket of it.
        await using (var connection = await System.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "DELETE FROM flashsales_sales WHERE id = 'vanishing'");
        }

        var ticket = FlashSaleApi.TicketOf(await Api.RequestAsync("vanishing", "unlucky", quantity: 2));

        var statuses = await Api.WaitUntilWrittenAsync("vanishing", [ticket]);
        Assert.That(statuses[ticket], Is.EqualTo("Rejected"));
        var reply = (await Api.GetAsync($"/api/flash-sales/vanishing/tickets/{ticket}")).Json;
        Assert.That(reply["orderId"], Is.Null);
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_orders"), Is.Zero);
        var store = System.Get<OrderSystem.FlashSales.SaleStore>();
        await Eventually.Until(() => store.ReadAsync("vanishing"), c => c!.Left == 3, TimeSpan.FromSeconds(10), "the units to go back to the sale");
    }

    [Test]
    public async Task Reconciliation_finds_a_reservation_and_a_store_that_do_not_add_up()
    {
        var sku = await NewProductAsync(available: 5);
        await Api.DefineAsync("audited", sku, units: 5);
        await Api.WaitUntilWrittenAsync("audited", [FlashSaleApi.TicketOf(await Api.RequestAsync("audited", "audited-buyer"))]);
        await Api.WaitUntilReconciledAsync();

        // A unit taken from the reservation behind the sale's back, and one conjured up in the store.
        await using (var connection = await System.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE inventory_products SET reserved = reserved - 1 WHERE sku = @Sku", new { Sku = sku });
        }
        var store = System.Get<OrderSystem.FlashSales.SaleStore>();
        await store.Db.HashIncrementAsync(store.Sale("audited"), "left", 1);

        var audit = await Api.SendRawAsync(HttpMethod.Get, "/api/admin/reconciliation", null, ("X-Api-Key", TestSettings.AdminKey));
        var checks = audit.Json["findings"]!.AsArray().Select(f => f!["check"]!.GetValue<string>()).Order().ToList();
        Assert.That(checks, Is.EqualTo(new[] { "flash-reserved-mismatch", "flash-store-mismatch" }), audit.ToString());
    }
}
