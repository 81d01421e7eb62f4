using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Faults;

/// <summary>
/// A third party that is slow, then failing half its calls, then down, then hanging, while orders keep being paid: only
/// its own step waits, its messages wait instead of going to the error queue, and after recovery its own ledger shows one
/// text or waybill per order. Against the real simulator process, with the production pipeline numbers.
/// </summary>
[Category("Slow")]
public sealed class ThirdPartyOutageTests
{
    private static readonly TimeSpan PhaseLength = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan PaymentEvery = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(45);

    private static readonly (string Phase, object Fault)[] Phases =
    [
        ("5 s latency", new { delayMs = 5000 }),
        ("50% failures", new { delayMs = 0, failureProbability = 0.5 }),
        ("down", new { failureProbability = 0, down = true }),
        ("hanging", new { down = false, hang = true }),
    ];

    [TestCase("logistics", "warehouse", "shipment")]
    [TestCase("sms", "push", "sms")]
    public async Task A_faulty_party_holds_only_its_own_step_sends_nothing_to_the_error_queue_and_does_each_order_once(
        string party, string queue, string step)
    {
        await using var system = await TestSystem.StartAsync("outage_" + party);
        try
        {
            var sku = "OUT-" + Guid.NewGuid().ToString("N")[..8];
            Assert.That((await system.Api.PutProductAsync(sku, 5m, 10_000)).Status, Is.EqualTo(HttpStatusCode.OK));
            var orders = new List<string>();
            foreach (var (phase, fault) in Phases)
            {
                await Simulator.SetAsync(party, fault);
                var batch = await PayOrdersAsync(system.Api, sku, phase);
                foreach (var orderId in batch)
                {
                    await Eventually.Until(() => system.Api.GetAsync($"/api/orders/{orderId}"),
                        r => OtherSteps(r, step).All(s => s == "Done"), StepTimeout,
                        $"the steps other than {step} of order {orderId} done while {party} is {phase}");
                }
                var ready = await system.Api.GetAsync("/health/ready");
                Assert.That(ready.Status, Is.EqualTo(HttpStatusCode.OK), $"ready while {party} is {phase}: {ready}");
                orders.AddRange(batch);
            }
            await Eventually.Until(() => system.Api.GetAsync("/health/dependencies"), r => Breaker(r, party) is "open" or "half-open", StepTimeout,
                $"{party}'s breaker open (or half-open, probing) while it hangs");
            var metrics = await PrometheusScrape.ReadAsync(system.Api);
            Assert.That(metrics.Sum("ordersystem_third_party_breaker_open", ("party", party)), Is.EqualTo(1), metrics.ToString());
            Assert.That(metrics.Sum("ordersystem_third_party_waiting", ("party", party)), Is.GreaterThan(0), "calls held at the gate");

            await Simulator.QuietAsync();

            foreach (var orderId in orders)
            {
                await Eventually.Until(() => system.Api.GetAsync($"/api/orders/{orderId}"), r => StepStatus(r, step) == "Done",
                    TimeSpan.FromSeconds(90), $"the {step} step of order {orderId} done after recovery");
                Assert.That(await Simulator.LedgerAsync(party, Guid.Parse(orderId)), Has.Count.EqualTo(1),
                    $"{party}'s own ledger for order {orderId}");
            }
            Assert.That(await RabbitManagement.MessageCountAsync(system.VirtualHost, queue + "_error"), Is.Zero, $"{queue}_error");
            await Eventually.Until(() => system.Api.GetAsync("/health/dependencies"), r => Breaker(r, party) == "closed", StepTimeout,
                $"{party}'s breaker closed again");
        }
        finally
        {
            await Simulator.QuietAsync();
        }
    }

    /// <summary>A steady trickle of payments for the whole phase, so the fault meets calls arriving all along.</summary>
    private static async Task<List<string>> PayOrdersAsync(Api api, string sku, string phase)
    {
        var paid = new List<string>();
        var end = DateTime.UtcNow + PhaseLength;
        using var pace = new PeriodicTimer(PaymentEvery);
        while (DateTime.UtcNow < end && await pace.WaitForNextTickAsync())
        {
            var placed = await api.PlaceOrderAsync(SystemTest.Fresh("u"), (sku, 1));
            Assert.That(placed.Status, Is.EqualTo(HttpStatusCode.Created), placed.ToString());
            var orderId = placed.Json["orderId"]!.GetValue<string>();
            var payment = await api.PayAsync(orderId, "pay-1", 5m);
            Assert.That(payment.Status, Is.EqualTo(HttpStatusCode.OK), $"payment while the party is {phase}: {payment}");
            paid.Add(orderId);
        }
        return paid;
    }

    private static IEnumerable<string?> OtherSteps(Reply order, string step) =>
        ModuleTopology.Modules.Select(m => m.ReportedStep).OfType<string>().Where(s => s != step).Select(s => StepStatus(order, s));

    private static string? StepStatus(Reply order, string step) => order.Json["fulfillment"]?[step]?["status"]?.GetValue<string>();

    private static string? Breaker(Reply dependencies, string party) => dependencies.Json["parties"]?.AsArray()
        .SingleOrDefault(p => p!["party"]!.GetValue<string>() == party)?["breaker"]?.GetValue<string>();
}
