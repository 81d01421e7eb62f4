using System.Net;
using Dapper;
using OrderSystem.BuildingBlocks.Messaging.Yielding;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.FlashSales;

/// <summary>
/// While a flash sale's wave arrives, an ordinary order's fulfillment waits Fulfillment:PeakHoldMs after its message was
/// sent, and then completes (decision 0035). This system of its own counts 20 admission requests a second as a peak, so
/// that a test can make one on any machine.
/// </summary>
public sealed class PeakHoldHostTests
{
    private const int HoldMs = 2000;
    private TestSystem _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _system = await FlashSaleApi.StartSystemWithEmptyStoreAsync("peakhold", new Dictionary<string, string>
        {
            ["Fulfillment:PeakRequestsPerSecond"] = "20",
            ["Fulfillment:PeakHoldMs"] = HoldMs.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    public async Task During_a_wave_an_ordinary_order_is_fulfilled_no_sooner_than_the_hold_after_its_payment()
    {
        var sku = SystemTest.Fresh("SKU");
        Assert.That((await _system.Api.PutProductAsync(sku, 4.00m, 10)).Status, Is.EqualTo(HttpStatusCode.OK));
        // A sale that has not started: every request is refused, and every one counts towards the peak.
        Assert.That((await _system.Api.DefineAsync("later", sku, units: 1, startsAt: DateTime.UtcNow.AddHours(1), endsAt: DateTime.UtcNow.AddHours(2))).Status,
            Is.EqualTo(HttpStatusCode.OK));
        var placed = await _system.Api.PlaceOrderAsync("ordinary-buyer", (sku, 1));
        Assert.That(placed.Status, Is.EqualTo(HttpStatusCode.Created), placed.ToString());
        var orderId = placed.Json["orderId"]!.GetValue<string>();
        var peak = _system.Get<ForegroundPeak>();

        using var endOfWave = new CancellationTokenSource();
        var wave = SendWaveAsync(endOfWave.Token);
        await Eventually.Until(() => Task.FromResult(peak.IsOn), on => on, TimeSpan.FromSeconds(10), "the wave to count as a peak");
        var paid = await _system.Api.PayAsync(orderId, "pay-" + Guid.NewGuid().ToString("N")[..12], 4.00m);
        Assert.That(paid.Status, Is.EqualTo(HttpStatusCode.OK), paid.ToString());
        await Eventually.Until(() => _system.Api.GetAsync($"/api/orders/{orderId}"), r =>
                r.Json["fulfillment"] is { } f && new[] { "points", "coupon", "sms", "shipment" }.All(s => f[s]!["status"]!.GetValue<string>() == "Done"),
            TimeSpan.FromSeconds(30), "the order to be fulfilled, the hold and the wave notwithstanding");
        Assert.That(peak.IsOn, Is.True, "the wave lasted until the order was fulfilled");
        await endOfWave.CancelAsync();
        await wave;

        await using var connection = await _system.OpenAsync();
        var soonestMs = await connection.ExecuteScalarAsync<long>("""
            SELECT MIN(TIMESTAMPDIFF(MICROSECOND, o.paid_at, f.at)) DIV 1000
            FROM order_fulfillment f JOIN order_orders o ON o.id = f.order_id WHERE f.order_id = @Id
            """, new { Id = orderId });
        // A timer may fire a few milliseconds early; run at once, a step takes milliseconds, not seconds.
        Assert.That(soonestMs, Is.GreaterThanOrEqualTo(HoldMs - 50), "a fulfillment step ran inside the hold");
    }

    /// <summary>
    /// Admission requests, five at a time every 25 ms or so, until cancelled: well over 20 a second on any machine, and
    /// well under the admission limiter's 2,000, whose refusals never reach the sale and so do not count.
    /// </summary>
    private async Task SendWaveAsync(CancellationToken ct)
    {
        for (var round = 0; !ct.IsCancellationRequested; round++)
        {
            var replies = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => _system.Api.RequestAsync("later", $"waver-{round}-{i}")));
            Assert.That(replies.Select(r => r.Status), Is.All.EqualTo(HttpStatusCode.Conflict), "not started: refused");
            await Task.Delay(25, CancellationToken.None);
        }
    }
}
