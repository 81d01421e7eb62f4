using MassTransit;
using OrderSystem.Order.Contracts;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Messaging;

public sealed class DuplicateDeliveryTests : SystemTest
{
    private const int ConsumingModules = 4;

    [Test]
    public async Task The_same_OrderPaid_delivered_twice_has_one_effect_in_each_module()
    {
        var (paid, messageId) = NewOrderPaid();
        var bus = System.Get<IBus>();

        await bus.Publish(paid, context => context.MessageId = messageId);
        await bus.Publish(paid, context => context.MessageId = messageId);

        await Eventually.Until(() => Task.FromResult(System.Consumed.Count<OrderPaid>(messageId)), n => n == 2 * ConsumingModules,
            TimeSpan.FromSeconds(30), "both deliveries to be consumed by all four modules");
        await AssertOneEffectPerModuleAsync(paid);
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_inbox WHERE message_id = @messageId", new { messageId }), Is.EqualTo(1));
    }

    [Test]
    public async Task An_OrderPaid_published_again_under_a_new_message_id_still_has_one_effect()
    {
        var (paid, firstId) = NewOrderPaid();
        var secondId = NewId.NextGuid();
        var bus = System.Get<IBus>();

        await bus.Publish(paid, context => context.MessageId = firstId);
        await bus.Publish(paid, context => context.MessageId = secondId);

        await Eventually.Until(
            () => Task.FromResult(System.Consumed.Count<OrderPaid>(firstId) + System.Consumed.Count<OrderPaid>(secondId)),
            n => n == 2 * ConsumingModules, TimeSpan.FromSeconds(30), "both messages to be consumed by all four modules");
        await AssertOneEffectPerModuleAsync(paid);
    }

    private static (OrderPaid Paid, Guid MessageId) NewOrderPaid() =>
        (new OrderPaid(Guid.NewGuid(), Fresh("u"), [new OrderLine("SKU-1", 2, 10m)], 20m, "pay-1", DateTime.UtcNow), NewId.NextGuid());

    private static async Task AssertOneEffectPerModuleAsync(OrderPaid paid)
    {
        var order = new { paid.OrderId };
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_entries WHERE order_id = @OrderId", order), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM marketing_coupons WHERE order_id = @OrderId", order), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms WHERE order_id = @OrderId", order), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM warehouse_shipments WHERE order_id = @OrderId", order), Is.EqualTo(1));
        // Order runs in this process: each step is recorded in Order's view in the effect's own batch, and no completion
        // event goes through the modules' outboxes.
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_fulfillment WHERE order_id = @OrderId AND status = 'Done'", order),
            Is.EqualTo(ConsumingModules), "one Done step per module");
        foreach (var outbox in ModuleTopology.CompletionOutboxTables)
        {
            Assert.That(await CountAsync($"SELECT COUNT(*) FROM {outbox}"), Is.Zero, $"{outbox}: no completion event");
        }
    }
}
