using System.Net;
using OrderSystem.Feed.Contracts;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Feed;

/// <summary>
/// Cancellations and refunds in the feed: a paid order cancelled, an unpaid one cancelled, a second payment refunded, a
/// refund Closed and reissued. Each shows up with its own type, each refund with every state Refunds took it through,
/// versions 1, 2, 3... with no gap (FeedLog checks as it reads), and the last event shows the refunds as the API does.
/// </summary>
[NonParallelizable]
public sealed class FeedCancellationTests
{
    private static readonly (string, string) AdminKey = ("X-Api-Key", TestSettings.AdminKey);

    private TestSystem _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _system = await TestSystem.StartAsync("feedcancel", settings: new Dictionary<string, string>
    {
        ["Feed:PollMs"] = "20",
        ["Refunds:PollMs"] = "100",
        ["Refunds:QueryIntervalMs"] = "300",
    });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await Simulator.QuietAsync();
        await _system.DisposeAsync();
    }

    [Test]
    public async Task Cancellations_and_each_state_of_each_refund_are_in_the_feed_and_the_last_event_shows_the_refunds_as_the_api_does()
    {
        var api = _system.Api;
        var sku = await FeedTests.NewProductAsync(api, 6.00m, 1000);
        var (paidThenCancelled, total) = await FeedTests.PlaceAsync(api, sku, 2);
        Assert.That((await api.PayAsync(paidThenCancelled, $"pay-{paidThenCancelled}", total)).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await CancelAsync(paidThenCancelled)).Status, Is.EqualTo(HttpStatusCode.Accepted));
        var (unpaidCancelled, _) = await FeedTests.PlaceAsync(api, sku, 1);
        Assert.That((await CancelAsync(unpaidCancelled)).Status, Is.EqualTo(HttpStatusCode.Accepted));
        var (paidTwice, twice) = await FeedTests.PlaceAsync(api, sku, 1);
        Assert.That((await api.PayAsync(paidTwice, $"pay-{paidTwice}", twice)).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await api.PayAsync(paidTwice, $"pay-again-{paidTwice}", twice)).Status, Is.EqualTo(HttpStatusCode.Conflict));

        // A refund the provider closes (no money moved), then the operator's reissue under a new id; the refunds above
        // ended first, so the closing applies to this one alone.
        foreach (var id in new[] { paidThenCancelled, paidTwice })
        {
            await Eventually.Until(() => api.GetAsync($"/api/orders/{id}"),
                r => r.Json["refunds"]!.AsArray().SingleOrDefault()?["status"]?.GetValue<string>() == "Succeeded", TimeSpan.FromSeconds(40),
                $"order {id}'s refund Succeeded");
        }
        await Simulator.SetAsync("payments", new { refundClosedProbability = 1 });
        var (closedThenReissued, closedTotal) = await FeedTests.PlaceAsync(api, sku, 1);
        Assert.That((await api.PayAsync(closedThenReissued, $"pay-{closedThenReissued}", closedTotal)).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await CancelAsync(closedThenReissued)).Status, Is.EqualTo(HttpStatusCode.Accepted));
        var closed = await Eventually.Until(() => api.GetAsync($"/api/orders/{closedThenReissued}"),
            r => r.Json["refunds"]!.AsArray().SingleOrDefault()?["status"]?.GetValue<string>() == "Closed", TimeSpan.FromSeconds(40), "the refund Closed");
        await Simulator.SetAsync("payments", new { refundClosedProbability = 0 });
        var closedId = closed.Json["refunds"]![0]!["refundId"]!.GetValue<string>();
        Assert.That((await api.SendRawAsync(HttpMethod.Post, $"/api/admin/refunds/{closedId}/reissue", null, AdminKey)).Status,
            Is.EqualTo(HttpStatusCode.Created));

        string[] all = [paidThenCancelled, unpaidCancelled, paidTwice, closedThenReissued];
        await using var reader = await FeedLog.OpenAsync(_system.VirtualHost);
        var log = new FeedLog();
        async Task<string> Differences()
        {
            var lines = new List<string>();
            foreach (var id in all)
            {
                var order = (await api.GetAsync($"/api/orders/{id}")).Json;
                var (apiView, apiRefunds) = (FeedLog.Comparable(order), FeedLog.ComparableRefunds(order));
                var feed = log.Latest.GetValueOrDefault(Guid.Parse(id))?.Order;
                var settled = order["status"]!.GetValue<string>() != "Paid" || !apiView.Contains("Pending", StringComparison.Ordinal);
                var refundsEnded = !apiRefunds.Contains("/Requested/", StringComparison.Ordinal) && !apiRefunds.Contains("/Submitted/", StringComparison.Ordinal)
                    && !apiRefunds.Contains("/Processing/", StringComparison.Ordinal);
                if (feed is null || FeedLog.Comparable(feed) != apiView || FeedLog.ComparableRefunds(feed) != apiRefunds || !settled || !refundsEnded)
                {
                    lines.Add($"api  {apiView} {apiRefunds}\nfeed {(feed is null ? "(none)" : FeedLog.Comparable(feed) + " " + FeedLog.ComparableRefunds(feed))}");
                }
            }
            return string.Join("\n", lines);
        }
        await Eventually.Until(async () => { await log.DrainAsync(reader); return await Differences(); }, d => d.Length == 0,
            TimeSpan.FromSeconds(60), "every order and refund ended, and the feed's last event of each showing it as the API does", Differences);

        List<FeedEvent> Of(string id) => log.Events.Where(e => e.OrderId == Guid.Parse(id)).ToList();
        List<string> RefundStates(string id) => Of(id).Where(e => e.Type == FeedEventTypes.RefundChanged)
            .Select(e => $"{e.Change!.Refund!.RefundId}:{e.Change.Refund.Status}").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(Of(paidThenCancelled).Select(e => e.Type).Take(2), Is.EqualTo(new[] { "OrderCreated", "OrderPaid" }));
            Assert.That(Of(paidThenCancelled).Select(e => e.Type), Has.Exactly(1).EqualTo("OrderCancelled"));
            Assert.That(Of(paidThenCancelled).SkipWhile(e => e.Type != "OrderCancelled").Skip(1).First().Change?.Refund?.Status, Is.EqualTo("Requested"),
                "the refund is created in the cancellation's transaction, so its Requested comes right after");
            Assert.That(RefundStates(paidThenCancelled).Select(s => s.Split(':')[1]), Is.EqualTo(new[] { "Requested", "Submitted", "Processing", "Succeeded" })
                .Or.EqualTo(new[] { "Requested", "Submitted", "Succeeded" }), "each state once, in order");
            Assert.That(Of(unpaidCancelled).Select(e => e.Type), Is.EqualTo(new[] { "OrderCreated", "OrderCancelled" }));
            Assert.That(Of(unpaidCancelled)[^1].Order.CancelledAt, Is.Not.Null);
            Assert.That(RefundStates(paidTwice).Last().Split(':')[1], Is.EqualTo("Succeeded"), "the second payment refunded");
            Assert.That(Of(paidTwice).Last(e => e.Type == "RefundChanged").Order.Status, Is.EqualTo("Paid"), "the order stays paid");
            var reissued = RefundStates(closedThenReissued);
            Assert.That(reissued.Select(s => s.Split(':')[0]).Distinct().Count(), Is.EqualTo(2), "the closed refund and its reissue, each by its own id");
            Assert.That(reissued.Select(s => s.Split(':')[1]), Does.Contain("Closed").And.Contain("Succeeded"));
        });
    }

    private Task<Reply> CancelAsync(string orderId) =>
        _system.Api.SendAsync(HttpMethod.Post, $"/api/orders/{orderId}/cancellation", new { reason = "changed my mind" });
}
