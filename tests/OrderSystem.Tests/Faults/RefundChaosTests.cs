using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Faults;

/// <summary>
/// A thousand refunds while the host is SIGKILLed again and again, some of them between the provider's answer and our
/// commit; the provider loses some answers, sends every webhook up to three times and some never. The provider's ledger
/// is the judge: each refund executed exactly once, nothing paid twice, every refund at an end state.
/// </summary>
[Category("Slow")]
public sealed class RefundChaosTests
{
    private const int Refunds = 1000;
    private const decimal Price = 4.20m;

    [Test]
    public async Task A_thousand_refunds_through_repeated_host_kills_are_each_executed_exactly_once()
    {
        var system = await ProcessSystem.CreateAsync("refundchaos");
        await Simulator.SetAsync("payments", new
        {
            refundProcessingMs = 300, lostAnswerProbability = 0.1, webhookRetries = 2, webhookDuplicateProbability = 0.5,
            webhookDropProbability = 0.2,
        });
        try
        {
            await using var host = system.Host("refundchaos");
            await host.StartAsync();
            // No stock at all: every payment is refunded (out-of-stock), created in its own payment's transaction.
            Assert.That((await host.Api.PutProductAsync("CHAOS-1", Price, 0)).Status, Is.EqualTo(HttpStatusCode.OK));
            var orders = new List<string>();
            for (var i = 0; i < Refunds; i++)
            {
                var placed = await host.Api.PlaceOrderAsync($"chaos-{i}", ("CHAOS-1", 1));
                Assert.That(placed.Status, Is.EqualTo(HttpStatusCode.Created), placed.ToString());
                orders.Add(placed.Json["orderId"]!.GetValue<string>());
            }
            var payments = orders.Select(o => (OrderId: o, Total: Price)).ToList();

            // Kill while the payments (and so the refunds' creation) are still arriving, then at three points of the processing.
            var killedDuringPayments = await PayWhileKillingAsync(host, payments);
            Assert.That(killedDuringPayments, Is.True, "a kill came while payments were still arriving");
            Assert.That(await ExactlyOnce.PayAsync([host.Api], payments), Is.All.EqualTo(HttpStatusCode.Conflict),
                "the provider sends every callback again; each answers out-of-stock once more, creating nothing");
            foreach (var share in new[] { 0.2, 0.5, 0.8 })
            {
                await Eventually.Until(() => system.CountAsync("SELECT COUNT(*) FROM refunds_refunds WHERE status IN ('Succeeded', 'ManualReview')"),
                    n => n >= share * Refunds, TimeSpan.FromSeconds(240), $"{share:P0} of the refunds ended");
                await host.KillAsync();
                await host.StartAsync();
            }

            await Eventually.Until(() => system.CountAsync("SELECT COUNT(*) FROM refunds_refunds WHERE status IN ('Requested', 'Submitted', 'Processing')"),
                n => n == 0, TimeSpan.FromSeconds(240), "every refund at an end state");
            Assert.That(await system.CountAsync("SELECT COUNT(*) FROM refunds_refunds"), Is.EqualTo(Refunds), "one refund per payment");
            Assert.That(await system.CountAsync("SELECT COUNT(*) FROM refunds_refunds WHERE status = 'ManualReview' AND note IS NULL"), Is.Zero,
                "a refund in review says why");
            foreach (var orderId in orders)
            {
                var ledger = await Simulator.RefundLedgerAsync($"pay-{orderId}");
                Assert.That(ledger, Has.Count.EqualTo(1), $"the provider's refunds of payment pay-{orderId}");
                Assert.That(ledger[0].GetProperty("status").GetString(), Is.EqualTo("SUCCESS"));
                Assert.That(ledger[0].GetProperty("amount").GetDecimal(), Is.EqualTo(Price));
            }
            Assert.That(await system.CountAsync("SELECT COUNT(*) FROM refunds_refunds WHERE status = 'Succeeded'"), Is.EqualTo(Refunds));
            await ExactlyOnce.AssertReconciledAsync(host.Api);
        }
        finally
        {
            await Simulator.QuietAsync();
        }
    }

    /// <summary>Pays every order, SIGKILLing the host once a third of the answers are in; restarts it. True when the kill cut payments off.</summary>
    private static async Task<bool> PayWhileKillingAsync(HostProcess host, List<(string OrderId, decimal Total)> payments)
    {
        var answered = 0;
        var third = new TaskCompletionSource();
        var wave = ExactlyOnce.PayAsync([host.Api], payments, () =>
        {
            if (Interlocked.Increment(ref answered) == payments.Count / 3)
            {
                third.TrySetResult();
            }
        });
        await third.Task.WaitAsync(TimeSpan.FromSeconds(120));
        await host.KillAsync();
        var statuses = await wave;
        await host.StartAsync();
        return statuses.Any(s => s is null);
    }
}
