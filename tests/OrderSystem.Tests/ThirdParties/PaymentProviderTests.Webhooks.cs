using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.ThirdParties;

/// <summary>How the provider tells a refund's end by webhook: signed, retried, duplicated or dropped as configured.</summary>
public sealed partial class PaymentProviderTests
{
    [Test]
    public async Task An_ended_refund_is_told_by_a_webhook_signed_with_the_callback_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var refund = NewRefund() with { NotifyUrl = receiver.NotifyUrl };

        using var taken = await RequestRefundAsync(refund);

        var delivery = (await DeliveriesAsync(receiver, 1)).Single();
        // The simulator's Payments:CallbackSecret and the host's have the same default, as they must.
        var expected = "sha256=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestSettings.CallbackSecret), Encoding.UTF8.GetBytes(delivery.Body)));
        Assert.That(delivery.Signature, Is.EqualTo(expected));
        Assert.That(delivery.ContentType, Does.StartWith("application/json"));
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        Assert.That(body.EnumerateObject().Select(p => p.Name),
            Is.EqualTo(new[] { "refundId", "paymentId", "orderId", "amount", "status", "completedAt" }));
        Assert.That(body.GetProperty("refundId").GetGuid(), Is.EqualTo(refund.RefundId));
        Assert.That(body.GetProperty("paymentId").GetString(), Is.EqualTo(refund.PaymentId));
        Assert.That(body.GetProperty("orderId").GetGuid(), Is.EqualTo(refund.OrderId));
        Assert.That(body.GetProperty("amount").GetDecimal(), Is.EqualTo(refund.Amount));
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("SUCCESS"));
        var queried = await QueryAsync(refund.RefundId);
        Assert.That(body.GetProperty("completedAt").GetDateTimeOffset(), Is.EqualTo(queried.GetProperty("completedAt").GetDateTimeOffset()));
    }

    [Test]
    public async Task A_webhook_the_receiver_fails_is_retried_about_a_second_later_with_the_same_body()
    {
        await using var receiver = await WebhookReceiver.StartAsync(n => n == 1 ? 500 : 200);
        var refund = NewRefund() with { NotifyUrl = receiver.NotifyUrl };

        using var taken = await RequestRefundAsync(refund);

        var deliveries = await DeliveriesAsync(receiver, 2);
        Assert.That(deliveries[1].Body, Is.EqualTo(deliveries[0].Body));
        Assert.That(deliveries[1].Signature, Is.EqualTo(deliveries[0].Signature));
        Assert.That(deliveries[1].At - deliveries[0].At, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)));
    }

    [Test]
    public async Task A_webhook_is_retried_no_more_than_webhook_retries_times()
    {
        await Simulator.SetAsync("payments", new { webhookRetries = 1 });
        await using var receiver = await WebhookReceiver.StartAsync(_ => 500);
        var refund = NewRefund() with { NotifyUrl = receiver.NotifyUrl };
        using var taken = await RequestRefundAsync(refund);

        await DeliveriesAsync(receiver, 2);

        // The next retry would come 2 s after the second attempt: wait a little longer for a third that must not come.
        var later = receiver.Deliveries[1].At + TimeSpan.FromSeconds(3);
        await Eventually.Until(() => Task.FromResult(DateTimeOffset.UtcNow), now => now > later, Patience, "3 s after the last attempt");
        Assert.That(receiver.Deliveries, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_duplicated_webhook_arrives_twice_alike()
    {
        await Simulator.SetAsync("payments", new { webhookDuplicateProbability = 1 });
        await using var receiver = await WebhookReceiver.StartAsync();
        var refund = NewRefund() with { NotifyUrl = receiver.NotifyUrl };

        using var taken = await RequestRefundAsync(refund);

        var deliveries = await DeliveriesAsync(receiver, 2);
        Assert.That(deliveries, Has.Count.EqualTo(2));
        Assert.That(deliveries[1].Body, Is.EqualTo(deliveries[0].Body));
        Assert.That(deliveries[1].Signature, Is.EqualTo(deliveries[0].Signature));
    }

    [Test]
    public async Task A_dropped_webhook_is_never_sent_though_the_refund_ends()
    {
        await Simulator.SetAsync("payments", new { webhookDropProbability = 1 });
        await using var receiver = await WebhookReceiver.StartAsync();
        var dropped = NewRefund() with { NotifyUrl = receiver.NotifyUrl };
        using var first = await RequestRefundAsync(dropped);
        await Eventually.Until(() => QueryAsync(dropped.RefundId), r => r.GetProperty("status").GetString() == "SUCCESS",
            Patience, "the refund whose webhook is dropped to succeed");

        // A webhook's fate is drawn when its refund is recorded: a later refund, sent, shows the earlier one's would have
        // arrived by now.
        await Simulator.SetAsync("payments", new { webhookDropProbability = 0 });
        var sent = NewRefund() with { NotifyUrl = receiver.NotifyUrl };
        using var second = await RequestRefundAsync(sent);
        var deliveries = await DeliveriesAsync(receiver, 1);

        Assert.That(deliveries.Select(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("refundId").GetGuid()),
            Is.EqualTo(new[] { sent.RefundId }));
    }
}
