using System.Net;
using OrderSystem.Push;
using OrderSystem.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrderSystem.Tests.Operations;

/// <summary>What the console does: closing an order, retrying parked outbox rows, replaying dead letters, reissuing a refund; each asked first, audited and harmless when pressed twice.</summary>
public sealed partial class ConsoleTests
{
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
}
