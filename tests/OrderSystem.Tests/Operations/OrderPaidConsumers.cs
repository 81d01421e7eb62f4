using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using MassTransit;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Operations;

/// <summary>
/// What the tests of the four OrderPaid consumers (Points, Marketing, Push, Warehouse) share: a paid order, its OrderPaid
/// delivered again, a simulated gateway or an effect table that fails, and the module's error queue. Each consumer's own
/// tests say what its effect looks like, through the module's read API.
/// </summary>
internal static class OrderPaidConsumers
{
    private const int ConsumingModules = 4;
    private const string RefusalMessage = "effect row refused by the test";
    private const string RefusedUserPrefix = "refused";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);
    private static readonly string[] Steps = [.. ModuleTopology.Modules.Select(m => m.ReportedStep).OfType<string>()];

    private static TestSystem System => SystemTest.System;

    private static Api Api => SystemTest.Api;

    internal sealed record PaidOrder(string UserId, string OrderId, decimal Amount);

    /// <summary>
    /// A module's consumer of OrderPaid as its tests see it: the module, its effects for an order as the module's read API
    /// shows them (each with the orderId it belongs to), and the simulated third party it calls, if any.
    /// </summary>
    internal sealed record ConsumerUnderTest(ModuleDeclaration Module, Func<PaidOrder, Task<JsonArray>> EffectsOf, string? Gateway = null);

    /// <summary>Places an order of a new product for <paramref name="userId"/> (else a new buyer) and pays it.</summary>
    public static async Task<PaidOrder> PayNewOrderAsync(decimal price = 9.99m, int quantity = 1, string? userId = null)
    {
        var user = userId ?? SystemTest.Fresh("u");
        var (orderId, total) = await SystemTest.NewOrderAsync(user, await SystemTest.NewProductAsync(price), quantity);
        var paid = await Api.PayAsync(orderId, "pay-1", total);
        Assert.That(paid.Status, Is.EqualTo(HttpStatusCode.OK), paid.ToString());
        return new PaidOrder(user, orderId, total);
    }

    /// <summary>
    /// Pays an order and, once it is fulfilled, delivers its OrderPaid again under the MessageId the relay published it with
    /// (a redelivery), then under a new MessageId (a re-publish), and waits until all four modules consumed both. Asserts
    /// that the order has one effect and that neither duplicate changed it or the order's fulfillment view, nor, for a
    /// consumer that calls a third party, what that party did by its own ledger.
    /// </summary>
    public static async Task AssertDeliveredAgainHasOneEffectAsync(ConsumerUnderTest consumer)
    {
        var order = await PayNewOrderAsync();
        var fulfilled = await SystemTest.WaitUntilFulfilledAsync(order.OrderId);
        var before = await consumer.EffectsOf(order);
        var (messageId, paid) = await StoredOrderPaidAsync(order.OrderId);
        var newId = NewId.NextGuid();
        var bus = System.Get<IBus>();

        await bus.Publish(paid, context => context.MessageId = messageId);
        await bus.Publish(paid, context => context.MessageId = newId);

        await Eventually.Until(
            () => Task.FromResult((SameId: System.Consumed.Count<OrderPaid>(messageId), OtherId: System.Consumed.Count<OrderPaid>(newId))),
            n => n.SameId >= 2 * ConsumingModules && n.OtherId >= ConsumingModules, Timeout,
            "the relay's delivery and the redelivery under its MessageId (2 x 4), and the one under a new MessageId (4), consumed");
        var after = await consumer.EffectsOf(order);
        AssertEffectsFor(after, order);
        Assert.That(after.ToJsonString(), Is.EqualTo(before.ToJsonString()), "the effect after the duplicates");
        var fulfillment = (await Api.GetAsync($"/api/orders/{order.OrderId}")).Json["fulfillment"];
        Assert.That(fulfillment!.ToJsonString(), Is.EqualTo(fulfilled.Json["fulfillment"]!.ToJsonString()),
            "the fulfillment view after the duplicates");
        if (consumer.Gateway is { } party)
        {
            // Both came as first deliveries, which call the third party without a look in the inbox (decision 0028): its
            // own ledger shows that its idempotency key made them no second text or waybill.
            Assert.That(await Simulator.LedgerAsync(party, Guid.Parse(order.OrderId)), Has.Count.EqualTo(1), $"{party}'s ledger for the order");
        }
    }

    /// <summary>
    /// Pays orders while the consumer's third party fails 40% of its calls at random. Asserts that each order is fulfilled
    /// with one effect, that the party's ledger holds one entry per order (every retry carried the same idempotency key),
    /// and that nothing went to the module's error queue.
    /// </summary>
    public static async Task AssertFlakyGatewayIsRetriedToOneEffectAsync(ConsumerUnderTest consumer, int orders = 3)
    {
        await using (await OverrideGatewayAsync(GatewayOf(consumer), new { failureProbability = 0.4 }))
        {
            var paid = new List<PaidOrder>();
            for (var i = 0; i < orders; i++)
            {
                paid.Add(await PayNewOrderAsync());
            }
            foreach (var order in paid)
            {
                await SystemTest.WaitUntilFulfilledAsync(order.OrderId);
                AssertEffectsFor(await consumer.EffectsOf(order), order);
                Assert.That(await Simulator.LedgerAsync(GatewayOf(consumer), Guid.Parse(order.OrderId)), Has.Count.EqualTo(1),
                    $"{GatewayOf(consumer)}'s own ledger for order {order.OrderId}");
            }
            Assert.That(await DeadLetterCountAsync(consumer.Module), Is.Zero, $"retried in process, nothing in {consumer.Module.Queue}_error");
        }
    }

    /// <summary>
    /// Pays an order while the consumer's third party refuses every request as invalid (a 422: the party is healthy, the
    /// request is what fails); asserts no effect, nothing in the party's ledger and <see cref="ExpectDeadLetterAsync"/>.
    /// </summary>
    public static async Task AssertRefusingGatewayDeadLettersAsync(ConsumerUnderTest consumer)
    {
        await using (await OverrideGatewayAsync(GatewayOf(consumer), new { rejectProbability = 1 }))
        {
            var order = await PayNewOrderAsync();
            await ExpectDeadLetterAsync(consumer.Module, order, "refused the request");
            AssertEffectsFor(await consumer.EffectsOf(order));
            Assert.That(await Simulator.LedgerAsync(GatewayOf(consumer), Guid.Parse(order.OrderId)), Is.Empty);
        }
    }

    /// <summary>
    /// Pays an order whose effect row the module's database refuses, then at once another one. Asserts that the first ends
    /// as in <see cref="ExpectDeadLetterAsync"/> with no effect, and no inbox row either (it rolled back with the failed
    /// write), while the second is fulfilled with its effect.
    /// </summary>
    public static async Task AssertRefusedEffectRowDeadLettersAsync(ConsumerUnderTest consumer)
    {
        var module = consumer.Module;
        PaidOrder refused, next;
        await using (await RefuseEffectRowsAsync(module))
        {
            refused = await PayNewOrderAsync(userId: SystemTest.Fresh(RefusedUserPrefix));
            next = await PayNewOrderAsync();
            await ExpectDeadLetterAsync(module, refused, RefusalMessage);
            await SystemTest.WaitUntilFulfilledAsync(next.OrderId);
        }
        AssertEffectsFor(await consumer.EffectsOf(refused));
        AssertEffectsFor(await consumer.EffectsOf(next), next);
        var (messageId, _) = await StoredOrderPaidAsync(refused.OrderId);
        Assert.That(await SystemTest.CountAsync($"SELECT COUNT(*) FROM {module.Inbox} WHERE message_id = @messageId", new { messageId }),
            Is.Zero, $"{module.Inbox}: the refused message is not recorded as handled");
    }

    /// <summary>Gives the simulated third party <paramref name="party"/> these fault settings until disposed, then quiet ones again.</summary>
    public static async Task<IAsyncDisposable> OverrideGatewayAsync(string party, object settings)
    {
        await Simulator.SetAsync(party, settings);
        return new Undo(async () => await Simulator.QuietAsync());
    }

    /// <summary>
    /// Waits until the order's OrderPaid lies in the module's error queue, the fault naming <paramref name="fault"/>, and
    /// the module's step shows Failed while the other steps are Done. Then empties that error queue, so that no later test
    /// finds the letter.
    /// </summary>
    private static async Task ExpectDeadLetterAsync(ModuleDeclaration module, PaidOrder order, string fault)
    {
        try
        {
            await Eventually.Until(() => Api.GetAsync($"/api/orders/{order.OrderId}"),
                r => Steps.All(step => StepStatus(r, step) == (step == module.ReportedStep ? "Failed" : "Done")), Timeout,
                $"the {module.ReportedStep} step of order {order.OrderId} to be Failed and the other steps Done");
            var (messageId, _) = await StoredOrderPaidAsync(order.OrderId);
            var queue = await Eventually.Until(() => DeadLettersAsync(module), q => q?["messages"]!.GetValue<int>() == 1, Timeout,
                $"the OrderPaid in {module.Queue}_error");
            var letter = queue!["sample"]![0]!;
            Assert.That(letter["messageId"]!.GetValue<Guid>(), Is.EqualTo(messageId), "the dead letter is the order's OrderPaid");
            Assert.That(letter["fault"]!.GetValue<string>(), Does.Contain(fault));
        }
        finally
        {
            using var purged = await RabbitManagement.For(TestSettings.RabbitManagementUrl).DeleteAsync(
                $"api/queues/{Uri.EscapeDataString(System.VirtualHost)}/{module.Queue}_error/contents");
        }
    }

    /// <summary>The effects read are those of <paramref name="orders"/>, one each.</summary>
    private static void AssertEffectsFor(JsonArray effects, params PaidOrder[] orders) =>
        Assert.That(effects.Select(e => e!["orderId"]!.GetValue<string>()), Is.EqualTo(orders.Select(o => o.OrderId)), effects.ToJsonString());

    private static string GatewayOf(ConsumerUnderTest consumer) =>
        consumer.Gateway ?? throw new InvalidOperationException($"{consumer.Module.Name} calls no gateway.");

    private static string? StepStatus(Reply order, string step) => order.Json["fulfillment"]?[step]?["status"]?.GetValue<string>();

    /// <summary>The module's error queue as the operator's dead-letter listing shows it; null before anything failed there.</summary>
    private static async Task<JsonNode?> DeadLettersAsync(ModuleDeclaration module)
    {
        var listing = await Api.SendRawAsync(HttpMethod.Get, "/api/admin/dead-letters", null, ("X-Api-Key", TestSettings.AdminKey));
        Assert.That(listing.Status, Is.EqualTo(HttpStatusCode.OK), listing.ToString());
        return listing.Json.AsArray().SingleOrDefault(q => q!["module"]!.GetValue<string>() == module.Name.ToLowerInvariant());
    }

    private static async Task<int> DeadLetterCountAsync(ModuleDeclaration module) =>
        (await DeadLettersAsync(module))?["messages"]!.GetValue<int>() ?? 0;

    /// <summary>The OrderPaid that Order's outbox holds for an order, with the MessageId the relay publishes it under.</summary>
    private static async Task<(Guid MessageId, OrderPaid Message)> StoredOrderPaidAsync(string orderId)
    {
        await using var connection = await System.OpenAsync();
        var (messageId, payload) = await connection.QuerySingleAsync<(Guid, string)>(
            "SELECT message_id, payload FROM order_outbox WHERE message_type = @Type AND payload LIKE @Order",
            new { Type = typeof(OrderPaid).FullName, Order = $"%{orderId}%" });
        return (messageId, JsonSerializer.Deserialize<OrderPaid>(payload, PayloadJson)!);
    }

    /// <summary>
    /// Until disposed, the database refuses the module's effect rows for buyers whose id starts with "refused-": a trigger
    /// raises an error. Bad data cannot do it: the effect is an INSERT IGNORE, which turns an over-long user id into a
    /// warning and a truncated row.
    /// </summary>
    private static async Task<IAsyncDisposable> RefuseEffectRowsAsync(ModuleDeclaration module)
    {
        var trigger = $"test_refuse_{module.EffectTable}";
        await ExecuteAsync($"DROP TRIGGER IF EXISTS {trigger}");
        await ExecuteAsync($"""
            CREATE TRIGGER {trigger} BEFORE INSERT ON {module.EffectTable} FOR EACH ROW
            IF NEW.user_id LIKE '{RefusedUserPrefix}-%' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{RefusalMessage}'; END IF
            """);
        return new Undo(() => new ValueTask(ExecuteAsync($"DROP TRIGGER IF EXISTS {trigger}")));
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = await System.OpenAsync();
        await connection.ExecuteAsync(sql);
    }

    private sealed class Undo(Func<ValueTask> undo) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => undo();
    }
}
