using System.Text.Json.Nodes;
using OrderSystem.Push;
using OrderSystem.Tests.Infrastructure;
using static OrderSystem.Tests.Operations.OrderPaidConsumers;

namespace OrderSystem.Tests.Push;

/// <summary>Push's consumer of OrderPaid: one confirmation text per paid order, through the (simulated) SMS gateway.</summary>
public sealed class SendSmsOnOrderPaidTests : SystemTest
{
    private static readonly ConsumerUnderTest Consumer = new(PushModule.Declaration, order => SmsOfAsync(order.UserId), SmsGateway.Party);

    [Test]
    public async Task A_paid_order_texts_the_buyer_once_with_the_amount_and_the_order_id()
    {
        var order = await PayNewOrderAsync(price: 9.99m, quantity: 2);
        await WaitUntilFulfilledAsync(order.OrderId);

        var sms = await SmsOfAsync(order.UserId);

        Assert.That(sms, Has.Count.EqualTo(1));
        Assert.That(sms[0]!["orderId"]!.GetValue<string>(), Is.EqualTo(order.OrderId));
        Assert.That(sms[0]!["text"]!.GetValue<string>(), Does.Contain("19.98").And.Contain(order.OrderId));
        Assert.That(sms[0]!["status"]!.GetValue<string>(), Is.EqualTo("Sent"));
    }

    [Test]
    public Task An_OrderPaid_delivered_twice_and_again_under_a_new_message_id_records_one_SMS() =>
        AssertDeliveredAgainHasOneEffectAsync(Consumer);

    [Test]
    public Task A_SMS_gateway_failing_40_percent_of_calls_does_each_order_once_by_its_ledger_and_the_step_is_Done() =>
        AssertFlakyGatewayIsRetriedToOneEffectAsync(Consumer);

    [Test]
    public Task A_SMS_gateway_refusing_the_request_dead_letters_the_OrderPaid_and_the_step_is_Failed_while_the_others_complete() =>
        AssertRefusingGatewayDeadLettersAsync(Consumer);

    private static async Task<JsonArray> SmsOfAsync(string userId) => (await Api.GetAsync($"/api/users/{userId}/sms")).Json.AsArray();
}
