using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Feed;

/// <summary>
/// The order feed on a system of its own (its own database and virtual host, so its stream holds only these tests'
/// events): every change, in order, gap-free, each showing the order as the API does.
/// </summary>
[NonParallelizable]
public sealed class FeedTests
{
    private TestSystem _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _system = await TestSystem.StartAsync("feed", settings: new Dictionary<string, string>
    {
        ["Orders:PaymentWindowSeconds"] = "4",
        ["Feed:PollMs"] = "20",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    public async Task Every_change_of_every_order_is_in_the_feed_in_order_and_its_last_event_shows_the_order_as_the_api_does()
    {
        var api = _system.Api;
        var plenty = await NewProductAsync(api, 9.99m, 1000);
        var scarce = await NewProductAsync(api, 5.00m, 2);
        var paid = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (id, total) = await PlaceAsync(api, plenty, 2);
            Assert.That((await api.PayAsync(id, $"pay-{id}", total)).Status, Is.EqualTo(HttpStatusCode.OK));
            paid.Add(id);
        }
        var cancelled = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (id, total) = await PlaceAsync(api, scarce, 1);
            var reply = await api.PayAsync(id, $"pay-{id}", total);
            (reply.Status == HttpStatusCode.OK ? paid : cancelled).Add(id);
        }
        var unpaid = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            unpaid.Add((await PlaceAsync(api, plenty, 1)).OrderId);
        }
        Assert.That(cancelled, Has.Count.EqualTo(1), "the third order of the scarce SKU finds its stock short");

        await using var reader = await FeedLog.OpenAsync(_system.VirtualHost);
        var log = new FeedLog();
        var all = paid.Concat(cancelled).Concat(unpaid).ToList();
        await Eventually.Until(async () =>
        {
            await log.DrainAsync(reader);
            var mismatched = 0;
            foreach (var id in all)
            {
                var api = FeedLog.Comparable((await _system.Api.GetAsync($"/api/orders/{id}")).Json);
                var feed = log.Latest.TryGetValue(Guid.Parse(id), out var e) ? FeedLog.Comparable(e.Order) : "(none)";
                mismatched += api == feed && IsSettled(api) ? 0 : 1;
            }
            return mismatched;
        }, n => n == 0, TimeSpan.FromSeconds(40), "every order's last feed event to show what the API shows, fulfilled or expired",
            async () => string.Join("\n", await Task.WhenAll(all.Select(async id =>
                $"api  {FeedLog.Comparable((await _system.Api.GetAsync($"/api/orders/{id}")).Json)}\nfeed " +
                (log.Latest.TryGetValue(Guid.Parse(id), out var e) ? FeedLog.Comparable(e.Order) : "(none)")))));

        var types = log.Events.GroupBy(e => e.OrderId).ToDictionary(g => g.Key.ToString(), g => g.Select(e => e.Type).ToList());
        Assert.Multiple(() =>
        {
            Assert.That(log.Events[0].Sequence, Is.EqualTo(1));
            Assert.That(types[paid[0]].Take(2), Is.EqualTo(new[] { "OrderCreated", "OrderPaid" }));
            Assert.That(types[paid[0]].Skip(2), Has.Exactly(4).EqualTo("FulfillmentChanged"));
            Assert.That(types[cancelled[0]].Take(3), Is.EqualTo(new[] { "OrderCreated", "OrderCancelled", "RefundChanged" }));
            Assert.That(types[cancelled[0]].Skip(3), Is.All.EqualTo("RefundChanged"), "the refund's later states");
            Assert.That(types[unpaid[0]], Is.EqualTo(new[] { "OrderCreated", "OrderExpired" }));
        });
    }

    // Paid orders once fulfilled; the others once closed.
    private static bool IsSettled(string comparable) =>
        comparable.Contains("|Paid|", StringComparison.Ordinal) ? !comparable.Contains("Pending", StringComparison.Ordinal)
        : !comparable.Contains("|Created|", StringComparison.Ordinal);

    internal static async Task<string> NewProductAsync(Api api, decimal price, int available)
    {
        var sku = $"SKU-{Guid.NewGuid():N}"[..17];
        Assert.That((await api.PutProductAsync(sku, price, available)).Status, Is.EqualTo(HttpStatusCode.OK));
        return sku;
    }

    internal static async Task<(string OrderId, decimal Total)> PlaceAsync(Api api, string sku, int quantity)
    {
        var reply = await api.PlaceOrderAsync($"u-{Guid.NewGuid():N}"[..10], (sku, quantity));
        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.Created), reply.ToString());
        return (reply.Json["orderId"]!.GetValue<string>(), reply.Json["totalAmount"]!.GetValue<decimal>());
    }
}
