using System.Net;
using System.Text.RegularExpressions;
using OrderSystem.Push;
using OrderSystem.Tests.FlashSales;
using OrderSystem.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrderSystem.Tests.Operations;

/// <summary>What the console shows: the overview following payments and a broken gateway, and an order's journey.</summary>
public sealed partial class ConsoleTests
{
    [Test]
    public async Task Signed_in_the_overview_follows_orders_without_a_reload()
    {
        var page = await _signedIn.NewPageAsync();
        await page.GotoAsync("/ops");
        await Expect(page.Locator("#operator")).ToHaveTextAsync(Operator);
        await page.EvaluateAsync("() => window.__sameDocument = 'yes'");
        var sku = await NewProductAsync();
        var first = await NewOrderAsync("user-overview", sku);
        await NewOrderAsync("user-overview", sku);

        await Expect(page.Locator("#orders-created td").Nth(1)).ToHaveTextAsync("2");
        await Expect(page.Locator("#due-next-minute")).ToHaveTextAsync("0");
        await Expect(page.Locator("#overdue")).ToHaveTextAsync("0");
        var paid = await Api.PayAsync(first.OrderId, Fresh("pay"), first.Total);
        Assert.That(paid.Status, Is.EqualTo(HttpStatusCode.OK), paid.ToString());

        await Expect(page.Locator("#orders-paid td").Nth(1)).ToHaveTextAsync("1");
        await Expect(page.Locator("#orders-created td").Nth(1)).ToHaveTextAsync("1");
        await Expect(page.Locator("#outboxes tr[data-key=order]")).ToBeVisibleAsync();
        await Expect(page.Locator("#queues tr[data-key=points]")).ToBeVisibleAsync();
        await Expect(page.Locator("#breakers tbody tr").First).ToContainTextAsync("closed");
        await Expect(page.Locator("#chart-orders canvas")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-latency canvas")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-lag canvas")).ToHaveCountAsync(1);
        // The paid order's steps are done within moments: each module's lag p50 appears, the feed has sequenced the
        // order's events, and the management API's in-flight figure is a number (0 once acknowledged).
        foreach (var module in new[] { "points", "marketing", "push", "warehouse" })
        {
            await Expect(page.Locator($"#fulfillment-lag tr[data-key={module}] td").Nth(2)).ToHaveTextAsync(new Regex(@"^\d+\.\d$"));
        }
        await Expect(page.Locator("#feed-sequenced")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
        await Expect(page.Locator("#feed-lag")).ToHaveTextAsync(new Regex(@"^\d+\.\d$"));
        await Expect(page.Locator("#queues tr[data-key=points] td").Nth(2)).ToHaveTextAsync(new Regex("^[0-9]+$"));
        var saleId = Fresh("sale");
        var sale = await Api.DefineAsync(saleId, sku, units: 3);
        Assert.That(sale.Status, Is.EqualTo(HttpStatusCode.OK), sale.ToString());
        await Expect(page.Locator($"#flash-sales tr[data-key='{saleId}'] td").Nth(3)).ToHaveTextAsync("3");
        // The payment is in one sample's rate and latency (the next sample has none): the history the charts draw keeps it.
        var payments = await Eventually.Until(() => page.EvaluateAsync<double[]>(
                "async () => (await (await fetch('/ops/api/overview')).json()).history.paymentP99Ms.filter(v => v != null)"),
            latencies => latencies.Length > 0, TimeSpan.FromSeconds(15), "a payment latency in the overview's history");
        Assert.That(payments, Has.All.GreaterThan(0));
        Assert.That(await page.EvaluateAsync<string>("() => window.__sameDocument"), Is.EqualTo("yes"), "the page was never reloaded");
        await ScreenshotAsync(page, "overview");
        await page.CloseAsync();
    }

    [Test]
    public async Task An_order_is_found_by_its_payment_and_user_and_shows_its_journey()
    {
        var sku = await NewProductAsync();
        var user = Fresh("user");
        var order = await NewOrderAsync(user, sku);
        var paymentId = Fresh("pay");
        Assert.That((await Api.PayAsync(order.OrderId, paymentId, order.Total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await Eventually.Until(() => Api.GetAsync($"/api/orders/{order.OrderId}"), r =>
                new[] { "points", "coupon", "sms", "shipment" }.All(s => r.Json["fulfillment"]![s]!["status"]!.GetValue<string>() == "Done"),
            TimeSpan.FromSeconds(30), $"order {order.OrderId} to be fulfilled");
        var page = await _signedIn.NewPageAsync();

        await page.GotoAsync("/ops/orders");
        await page.FillAsync("#search input[name=q]", user);
        await page.ClickAsync("#search button");
        await Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(1);
        await page.FillAsync("#search input[name=q]", paymentId);
        await page.ClickAsync("#search button");
        await page.ClickAsync($"#results a:text('{order.OrderId}')");

        await Expect(page).ToHaveURLAsync(new Regex($"/ops/orders/{order.OrderId}$"));
        await Expect(page.Locator("#order-status")).ToHaveTextAsync("Paid");
        var journey = page.Locator("#journey li");
        foreach (var kind in new[] { "created", "paid", "step-points", "step-coupon", "step-sms", "step-shipment" })
        {
            await Expect(page.Locator($"#journey li[data-event='{kind}']")).ToHaveCountAsync(1);
        }
        Assert.That(await journey.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.event)"),
            Has.ItemAt(0).EqualTo("created").And.ItemAt(1).EqualTo("paid"), "in time order");
        // Each event's message and trace come from its outbox row, found through the feed's events of the order.
        await Eventually.Until(async () =>
            {
                await page.ReloadAsync();
                // Steps name their consumed message at once; their trace comes with the feed, so wait for the traces.
                return await page.Locator("#journey li .trace-id").CountAsync();
            }, linked => linked >= 6, TimeSpan.FromSeconds(30), "the journey's events to carry their message and trace ids");
        foreach (var kind in new[] { "created", "paid", "step-points", "step-coupon", "step-sms", "step-shipment" })
        {
            var item = page.Locator($"#journey li[data-event='{kind}']");
            await Expect(item.Locator(".message-id")).ToHaveTextAsync(new Regex("^[0-9a-f-]{36}$"));
            await Expect(item.Locator("a.trace-id")).ToHaveAttributeAsync("href", new Regex("^http://traces\\.test/trace/[0-9a-f]{32}$"));
        }
        await Expect(page.Locator("#journey li[data-event='paid']")).ToContainTextAsync("OrderPaid");
        // Each step names the message its module consumed, the order's OrderPaid, and took one delivery.
        var paidMessage = await page.Locator("#journey li[data-event='paid'] .message-id").InnerTextAsync();
        foreach (var step in new[] { "points", "coupon", "sms", "shipment" })
        {
            var item = page.Locator($"#journey li[data-event='step-{step}']");
            await Expect(item.Locator(".message-id")).ToHaveTextAsync(paidMessage);
            await Expect(item.Locator(".attempts")).ToHaveTextAsync("1 attempt");
            await Expect(page.Locator($"#steps tr[data-step='{step}'] td.attempts")).ToHaveTextAsync("1");
        }
        await ScreenshotAsync(page, "journey");
        await page.GotoAsync($"/ops/orders?q={order.OrderId}");
        await Expect(page).ToHaveURLAsync(new Regex($"/ops/orders/{order.OrderId}$"), new() { Timeout = 5000 });
        await page.CloseAsync();
    }

    [Test]
    public async Task A_step_whose_gateway_refused_twice_shows_three_attempts_in_the_journey()
    {
        var order = await NewOrderAsync(Fresh("user"), await NewProductAsync());
        await Simulator.SetAsync(SmsGateway.Party, new { rejectNext = 2 }); // two deliveries refused, the third goes through
        Assert.That((await Api.PayAsync(order.OrderId, Fresh("pay"), order.Total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await Eventually.Until(() => Api.GetAsync($"/api/orders/{order.OrderId}"), r =>
                new[] { "points", "coupon", "sms", "shipment" }.All(s => r.Json["fulfillment"]![s]!["status"]!.GetValue<string>() == "Done"),
            TimeSpan.FromSeconds(30), $"order {order.OrderId} to be fulfilled, its SMS at the third try");

        var page = await _signedIn.NewPageAsync();
        await page.GotoAsync($"/ops/orders/{order.OrderId}");

        var sms = page.Locator("#journey li[data-event='step-sms']");
        await Expect(sms.Locator(".attempts")).ToHaveTextAsync("3 attempts");
        await Expect(sms.Locator(".attempts")).ToHaveAttributeAsync("data-attempts", "3");
        await Expect(page.Locator("#steps tr[data-step='sms'] td.attempts")).ToHaveTextAsync("3");
        await Expect(page.Locator("#journey li[data-event='step-points'] .attempts")).ToHaveTextAsync("1 attempt");
        // The consumed message is the order's OrderPaid, the same for every step, retried or not.
        await Eventually.Until(async () =>
            {
                await page.ReloadAsync();
                return await page.Locator("#journey li[data-event='paid'] .message-id").CountAsync();
            }, linked => linked == 1, TimeSpan.FromSeconds(30), "the payment's message id, through the feed");
        var paidMessage = await page.Locator("#journey li[data-event='paid'] .message-id").InnerTextAsync();
        await Expect(sms.Locator(".message-id")).ToHaveTextAsync(paidMessage);
        await ScreenshotAsync(page, "journey-attempts");
        await page.CloseAsync();
    }

    [Test]
    public async Task A_down_sms_gateway_opens_its_breaker_on_the_overview_and_it_closes_by_itself_when_the_gateway_is_back()
    {
        var sku = await NewProductAsync();
        var orders = new List<(string OrderId, decimal Total)>();
        for (var i = 0; i < 6; i++)
        {
            orders.Add(await NewOrderAsync(Fresh("user"), sku));
        }
        var page = await _signedIn.NewPageAsync();
        await page.GotoAsync("/ops");
        var smsBreaker = page.Locator("#breakers tr[data-key=sms] td").Nth(1);
        await Expect(smsBreaker).ToHaveTextAsync("closed");
        await Simulator.SetAsync(SmsGateway.Party, new { down = true }); // connection refused: three attempts a message
        try
        {
            foreach (var order in orders)
            {
                Assert.That((await Api.PayAsync(order.OrderId, Fresh("pay"), order.Total)).Status, Is.EqualTo(HttpStatusCode.OK));
            }
            await Expect(smsBreaker).ToHaveTextAsync(new Regex("^(open|half-open)$"), new() { Timeout = 30_000 });
            await Expect(page.Locator("#breakers tr[data-key=logistics] td").Nth(1)).ToHaveTextAsync("closed");
            await ScreenshotAsync(page, "breaker-open");
        }
        finally
        {
            await Simulator.QuietAsync();
        }

        await Expect(smsBreaker).ToHaveTextAsync("closed", new() { Timeout = 30_000 }); // a probe got through
        foreach (var order in orders)
        {
            await Eventually.Until(() => Api.GetAsync($"/api/orders/{order.OrderId}"),
                r => r.Json["fulfillment"]!["sms"]!["status"]!.GetValue<string>() == "Done", TimeSpan.FromSeconds(30),
                "the SMS held during the outage to be sent");
        }
        Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms"), Is.EqualTo(orders.Count), "one text per order, none lost");
        await page.CloseAsync();
    }
}
