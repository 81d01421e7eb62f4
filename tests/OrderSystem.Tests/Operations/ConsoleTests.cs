using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using OrderSystem.Push;
using OrderSystem.Tests.FlashSales;
using OrderSystem.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrderSystem.Tests.Operations;

/// <summary>
/// The operator console at /ops in a real browser: Debian's headless chromium driven by Playwright, against a system of
/// its own served by Kestrel on a free port. Every wait is one of Playwright's polling expectations or Eventually.
/// </summary>
[NonParallelizable]
public sealed class ConsoleTests
{
    private const string Password = "console-test-password";
    private const string Operator = "test-operator";
    private const string TraceUi = "http://traces.test/trace/{traceId}";

    private TestSystem _system = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IBrowserContext _signedIn = null!;

    private Api Api => _system.Api;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await HeadlessChromium.LaunchAsync(_playwright);
        _system = await TestSystem.StartAsync("console", kestrel: true, settings: new Dictionary<string, string>
        {
            ["Ops:Password"] = Password,
            ["Ops:LoginAttemptsPerMinute"] = "5",
            ["Ops:SampleIntervalMs"] = "300",
            ["Observability:TraceUiUrl"] = TraceUi,
        });
        SetDefaultExpectTimeout(15_000);
        // One sign-in for the whole fixture: the login limit counts every POST, and the brute-force test needs the rest.
        _signedIn = await NewContextAsync();
        var page = await _signedIn.NewPageAsync();
        await page.GotoAsync("/ops/login");
        await page.FillAsync("input[name=Operator]", Operator);
        await page.FillAsync("input[name=Password]", Password);
        await page.ClickAsync("#login button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/ops$"));
        await page.CloseAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }

    [SetUp]
    public Task ResetDatabaseAsync() => _system.ResetAsync();

    [Test]
    public async Task Signed_out_every_console_page_redirects_to_the_login_page()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        foreach (var path in new[] { "/ops", "/ops/orders", "/ops/failures", "/ops/audit", "/ops/confirm?action=retry-module&target=order" })
        {
            await page.GotoAsync(path);
            await Expect(page).ToHaveURLAsync(new Regex("/ops/login\\?ReturnUrl="));
            await Expect(page.Locator("#login")).ToBeVisibleAsync();
        }
        // The overview's JSON is an API endpoint: ASP.NET Core's cookie handler answers it 401 instead of redirecting.
        var overview = await Api.GetAsync("/ops/api/overview");
        Assert.That(overview.Status, Is.EqualTo(HttpStatusCode.Unauthorized), overview.ToString());
        Assert.That((await Api.GetAsync("/ops/assets/ops.css")).Status, Is.EqualTo(HttpStatusCode.OK), "the login page's style is public");
    }

    [Test]
    public async Task A_wrong_password_is_rejected_and_a_burst_of_tries_is_limited()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var statuses = new List<int>();
        // 5 POSTs per minute per address are allowed, the fixture's sign-in among them when it was in this window; a window
        // that ends midway allows 5 more. Two tries after the first refusal show that it stays refused.
        for (var attempt = 0; attempt < 12 && statuses.Count(s => s == 429) < 2; attempt++)
        {
            await page.GotoAsync("/ops/login");
            await page.FillAsync("input[name=Operator]", "mallory");
            await page.FillAsync("input[name=Password]", "guess-" + attempt);
            var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#login button[type=submit]"),
                r => r.Url.Contains("/ops/login", StringComparison.Ordinal) && r.Request.Method == "POST");
            statuses.Add(response.Status);
            if (response.Status == 200)
            {
                await Expect(page.Locator("#login-problem")).ToHaveTextAsync("Wrong password.");
                await Expect(page).ToHaveURLAsync(new Regex("/ops/login"));
            }
            else
            {
                Assert.That(await response.HeaderValueAsync("content-type"), Does.StartWith("application/problem+json"));
            }
        }
        var answered = statuses.TakeWhile(s => s == 200).Count();
        Assert.That(statuses[0], Is.EqualTo(200), "the first wrong password is answered as such");
        Assert.That(answered, Is.InRange(1, 10), $"at most two windows' worth of tries are answered: {string.Join(", ", statuses)}");
        Assert.That(statuses.Skip(answered), Is.EqualTo(new[] { 429, 429 }), "refused, and still refused");
        await page.GotoAsync("/ops");
        await Expect(page).ToHaveURLAsync(new Regex("/ops/login"), new() { Timeout = 5000 });
    }

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
    public async Task Closing_an_order_asks_first_is_audited_and_pressing_twice_does_no_harm()
    {
        var order = await NewOrderAsync(Fresh("user"), await NewProductAsync());
        var page = await _signedIn.NewPageAsync();
        await page.GotoAsync($"/ops/orders/{order.OrderId}");
        await page.ClickAsync("#close-order");

        await Expect(page.Locator("#question")).ToContainTextAsync(order.OrderId);
        Assert.That(await StatusAsync(order.OrderId), Is.EqualTo("Created"), "asking changes nothing");
        await page.FillAsync("#confirm input[name=note]", "buyer asked by phone");
        var form = await FormValuesAsync(page);
        await page.ClickAsync("#confirm-button");

        var row = page.Locator($"#audit tr[data-action-id='{form["ActionId"]}']");
        await Expect(row.Locator(".result")).ToHaveTextAsync("Done");
        await Expect(row).ToContainTextAsync(Operator);
        Assert.That(await StatusAsync(order.OrderId), Is.EqualTo("Cancelled"));

        // The same confirmation sent again: its audit row already exists, so nothing runs.
        var again = await _signedIn.APIRequest.PostAsync(_system.BaseAddress + "ops/confirm", new() { Form = ToForm(form), MaxRedirects = 0 });
        Assert.That(again.Status, Is.EqualTo(302));
        // A new confirmation of the same action: it runs, finds the order closed, and says so.
        await page.GotoAsync($"/ops/confirm?action=close-order&target={order.OrderId}");
        await page.FillAsync("#confirm input[name=note]", "pressed again");
        await page.ClickAsync("#confirm-button");
        await Expect(page.Locator("#audit tr.highlight .result")).ToHaveTextAsync("AlreadyDone");

        Assert.That(await CountAsync("SELECT COUNT(*) FROM operations_audit_log"), Is.EqualTo(2));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM operations_audit_log WHERE action_id = @Id", new { Id = form["ActionId"] }), Is.EqualTo(1));
        Assert.That(await StatusAsync(order.OrderId), Is.EqualTo("Cancelled"));
        await page.CloseAsync();
    }

    [Test]
    public async Task A_parked_outbox_message_is_grouped_by_cause_and_retried_from_the_page()
    {
        var messageId = Guid.NewGuid();
        await ExecuteAsync("""
            INSERT INTO order_outbox (message_id, message_type, payload, created_at, attempts, last_error)
            VALUES (@Id, 'OrderSystem.Tests.NoSuchEvent', '{}', UTC_TIMESTAMP(6), 5, @Error)
            """, new { Id = messageId, Error = $"InvalidOperationException: Unknown message type 'OrderSystem.Tests.NoSuchEvent' in row {messageId}" });
        var page = await _signedIn.NewPageAsync();
        await page.GotoAsync("/ops/failures");

        var group = page.Locator("section.group[data-source=outbox][data-module=order]");
        await Expect(group).ToContainTextAsync("InvalidOperationException");
        await Expect(group.Locator("code")).ToHaveTextAsync("Unknown message type '…' in row {id}");
        await group.Locator($"tr[data-message='{messageId}'] a.retry").ClickAsync();
        await Expect(page.Locator("#question")).ToContainTextAsync(messageId.ToString());
        await page.ClickAsync("#confirm-button");

        await Expect(page.Locator("#audit tr.highlight .result")).ToHaveTextAsync("Done");
        // The relay takes the re-armed row again; its type is still unknown, so it is parked again: nothing else happens.
        await Eventually.Until(() => CountAsync(
                "SELECT attempts >= 5 AND last_error NOT LIKE '%in row%' FROM order_outbox WHERE message_id = @Id", new { Id = messageId }),
            parkedAgain => parkedAgain == 1, TimeSpan.FromSeconds(15), "the relay to try the re-armed row and park it again");
        await page.CloseAsync();
    }

    [Test]
    public async Task Dead_letters_of_a_refusing_sms_gateway_show_up_grouped_and_are_replayed_from_the_page_one_and_then_all()
    {
        var sku = await NewProductAsync();
        var first = await NewOrderAsync(Fresh("user"), sku);
        var second = await NewOrderAsync(Fresh("user"), sku);
        await Simulator.SetAsync(SmsGateway.Party, new { rejectProbability = 1 }); // every SMS refused: push dead-letters it
        try
        {
            Assert.That((await Api.PayAsync(first.OrderId, Fresh("pay"), first.Total)).Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await Api.PayAsync(second.OrderId, Fresh("pay"), second.Total)).Status, Is.EqualTo(HttpStatusCode.OK));
            var overview = await _signedIn.NewPageAsync();
            await overview.GotoAsync("/ops");
            await Expect(overview.Locator("#queues tr[data-key=push] td").Nth(4)).ToHaveTextAsync("2", new() { Timeout = 30_000 }); // the dead column
            await overview.CloseAsync();
        }
        finally
        {
            await Simulator.QuietAsync(); // fixed: the replayed messages now go through
        }
        var page = await _signedIn.NewPageAsync();
        await page.GotoAsync("/ops/failures");
        var group = page.Locator("section.group[data-source=dead-letter][data-module=push]");
        await Expect(group.Locator(".count")).ToHaveTextAsync("2");
        await Expect(group).ToContainTextAsync("refused the request");

        await group.Locator("tr[data-message] a.replay").First.ClickAsync();
        await Expect(page.Locator("#question")).ToContainTextAsync("push/");
        await page.ClickAsync("#confirm-button");
        await Expect(page.Locator("#audit tr.highlight .result")).ToHaveTextAsync("Done");
        await Expect(page.Locator("#audit tr.highlight")).ToContainTextAsync("1 message moved back");
        await Eventually.Until(() => SmsDoneAsync(first.OrderId, second.OrderId), done => done == 1, TimeSpan.FromSeconds(30),
            "one of the two SMS to be sent");

        await page.GotoAsync("/ops/failures");
        await Expect(group.Locator(".count")).ToHaveTextAsync("1");
        await group.Locator("a.action").First.ClickAsync();
        await Expect(page.Locator("#question")).ToContainTextAsync("push");
        await page.ClickAsync("#confirm-button");
        await Expect(page.Locator("#audit tr.highlight .result")).ToHaveTextAsync("Done");
        await Expect(page.Locator("#audit tr.highlight")).ToContainTextAsync("1 messages moved back");
        await Eventually.Until(() => SmsDoneAsync(first.OrderId, second.OrderId), done => done == 2, TimeSpan.FromSeconds(30),
            "both SMS to be sent");
        await page.GotoAsync("/ops/failures");
        await Expect(page.Locator("#no-dead-letters")).ToBeVisibleAsync();
        await page.CloseAsync();
    }

    private async Task<int> SmsDoneAsync(params string[] orderIds)
    {
        var done = 0;
        foreach (var orderId in orderIds)
        {
            var order = await Api.GetAsync($"/api/orders/{orderId}");
            done += order.Json["fulfillment"]!["sms"]!["status"]!.GetValue<string>() == "Done" ? 1 : 0;
        }
        return done;
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

    [Test]
    public async Task A_closed_refund_is_reissued_from_the_order_page_once()
    {
        var sku = await NewProductAsync(available: 1);
        var order = await NewOrderAsync(Fresh("user"), sku);
        var taker = await NewOrderAsync(Fresh("user"), sku);
        Assert.That((await Api.PayAsync(taker.OrderId, Fresh("pay"), taker.Total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await Simulator.SetAsync("payments", new { refundClosedProbability = 1 }); // the provider closes the refund: no money moved
        try
        {
            var refused = await Api.PayAsync(order.OrderId, Fresh("pay"), order.Total); // stock short: cancelled and refunded
            Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Conflict), refused.ToString());
            await RefundsAsync(order.OrderId, refunds => refunds is ["Closed"], "its refund to be Closed");
        }
        finally
        {
            await Simulator.QuietAsync();
        }
        var page = await _signedIn.NewPageAsync();
        await page.GotoAsync($"/ops/orders/{order.OrderId}");
        await Expect(page.Locator("#journey li[data-event='refund-closed']")).ToHaveCountAsync(1);

        await page.ClickAsync("#refunds a.action:text('Reissue…')");
        await Expect(page.Locator("#question")).ToContainTextAsync("Reissue");
        await page.ClickAsync("#confirm-button");
        await Expect(page.Locator("#audit tr.highlight .result")).ToHaveTextAsync("Done");
        await RefundsAsync(order.OrderId, refunds => refunds is ["Closed", "Succeeded"], "the reissued refund to succeed");

        var closedId = await page.Locator("#audit tr.highlight td").Nth(3).InnerTextAsync();
        await page.GotoAsync($"/ops/confirm?action=reissue-refund&target={closedId}");
        await page.ClickAsync("#confirm-button");
        await Expect(page.Locator("#audit tr.highlight .result")).ToHaveTextAsync("AlreadyDone");
        await RefundsAsync(order.OrderId, refunds => refunds is ["Closed", "Succeeded"], "no third refund");
        await page.CloseAsync();
    }

    [Test]
    public async Task A_post_without_an_anti_forgery_token_is_refused()
    {
        var order = await NewOrderAsync(Fresh("user"), await NewProductAsync());

        var forged = await _signedIn.APIRequest.PostAsync(_system.BaseAddress + "ops/confirm", new()
        {
            Form = ToForm(new Dictionary<string, string>
            {
                ["action"] = "close-order", ["target"] = order.OrderId, ["ActionId"] = Guid.NewGuid().ToString(), ["note"] = "forged",
            }),
            MaxRedirects = 0,
        });

        Assert.That(forged.Status, Is.EqualTo(400));
        Assert.That(await StatusAsync(order.OrderId), Is.EqualTo("Created"));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM operations_audit_log"), Is.Zero);
    }

    [Test]
    public async Task Bad_input_to_the_console_is_answered_4xx_and_never_500()
    {
        var page = await _signedIn.NewPageAsync();
        var longText = new string('x', 5000);
        foreach (var path in new[]
        {
            "/ops/orders/not-a-guid", "/ops/orders?q=" + longText, "/ops/orders?q=%00%27%22", "/ops/confirm?action=nope&target=x",
            "/ops/confirm?action=close-order&target=" + longText, "/ops/assets/..%2F..%2Fappsettings.json", "/ops/assets/nothing.js",
            "/ops/audit?action=not-a-guid", "/ops/orders/" + Guid.NewGuid(),
        })
        {
            var response = await page.APIRequest.GetAsync(path, new() { MaxRedirects = 0 });
            Assert.That(response.Status, Is.LessThan(500), path);
        }
        // A hand-made POST with a valid anti-forgery token: an unknown action, then a note longer than the form allows.
        var order = await NewOrderAsync(Fresh("user"), await NewProductAsync());
        await page.GotoAsync($"/ops/confirm?action=close-order&target={order.OrderId}");
        var form = await FormValuesAsync(page);
        foreach (var (field, value) in new[] { ("action", "drop-database"), ("note", longText) })
        {
            var forged = new Dictionary<string, string>(form) { ["note"] = "why", [field] = value };
            var refused = await page.APIRequest.PostAsync("/ops/confirm", new() { Form = ToForm(forged), MaxRedirects = 0 });
            Assert.That(refused.Status, Is.EqualTo(400), field);
            Assert.That(refused.Headers["content-type"], Does.StartWith("application/problem+json"), field);
        }
        Assert.That(await StatusAsync(order.OrderId), Is.EqualTo("Created"));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM operations_audit_log"), Is.Zero);
        await page.CloseAsync();
    }

    /// <summary>Kept as a test artifact (.local/test-results/console/), for a reader who wants to see the console.</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(TestSettings.RepoRoot, ".local", "test-results", "console", name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, "The console's " + name + " page");
    }

    private Task<IBrowserContext> NewContextAsync() =>
        _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _system.BaseAddress!.ToString().TrimEnd('/') });

    private static async Task<Dictionary<string, string>> FormValuesAsync(IPage page) =>
        await page.Locator("#confirm").EvaluateAsync<Dictionary<string, string>>(
            "form => Object.fromEntries(new FormData(form).entries())");

    private IFormData ToForm(IReadOnlyDictionary<string, string> values)
    {
        var form = _signedIn.APIRequest.CreateFormData();
        foreach (var (name, value) in values)
        {
            form.Set(name, value);
        }
        return form;
    }

    private Task<Reply> RefundsAsync(string orderId, Func<string[], bool> done, string what) =>
        Eventually.Until(() => Api.GetAsync($"/api/orders/{orderId}"),
            r => done([.. r.Json["refunds"]!.AsArray().Select(x => x!["status"]!.GetValue<string>())]), TimeSpan.FromSeconds(30),
            $"order {orderId}: {what}");

    private async Task<string> StatusAsync(string orderId) =>
        (await Api.GetAsync($"/api/orders/{orderId}")).Json["status"]!.GetValue<string>();

    private async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var connection = await _system.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }

    private async Task ExecuteAsync(string sql, object args)
    {
        await using var connection = await _system.OpenAsync();
        await connection.ExecuteAsync(sql, args);
    }

    private static string Fresh(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private async Task<string> NewProductAsync(int available = 1000)
    {
        var sku = Fresh("SKU");
        var reply = await Api.PutProductAsync(sku, 9.99m, available);
        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.OK), reply.ToString());
        return sku;
    }

    private async Task<(string OrderId, decimal Total)> NewOrderAsync(string userId, string sku)
    {
        var reply = await Api.PlaceOrderAsync(userId, (sku, 1));
        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.Created), reply.ToString());
        return (reply.Json["orderId"]!.GetValue<string>(), reply.Json["totalAmount"]!.GetValue<decimal>());
    }
}
