using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Tests.Infrastructure;
using OrderSystem.Warehouse;
using static OrderSystem.Tests.Operations.OrderPaidConsumers;

namespace OrderSystem.Tests.Warehouse;

/// <summary>Warehouse's consumer of OrderPaid: one shipment request per paid order, to the (simulated) logistics system.</summary>
public sealed class RequestShipmentOnOrderPaidTests : SystemTest
{
    private static readonly ConsumerUnderTest Consumer =
        new(WarehouseModule.Declaration, order => ShipmentsOfAsync(order.OrderId), LogisticsGateway.Party);

    [Test]
    public async Task A_paid_order_gets_one_shipment_request_with_a_tracking_number()
    {
        var order = await PayNewOrderAsync();
        await WaitUntilFulfilledAsync(order.OrderId);

        var shipments = await ShipmentsOfAsync(order.OrderId);

        Assert.That(shipments, Has.Count.EqualTo(1));
        Assert.That(shipments[0]!["orderId"]!.GetValue<string>(), Is.EqualTo(order.OrderId));
        Assert.That(shipments[0]!["status"]!.GetValue<string>(), Is.EqualTo("Requested"));
        Assert.That(shipments[0]!["trackingNumber"]!.GetValue<string>(), Does.Match("^TRK[0-9A-F]{12}$"));
    }

    [Test]
    public Task An_OrderPaid_delivered_twice_and_again_under_a_new_message_id_requests_one_shipment() =>
        AssertDeliveredAgainHasOneEffectAsync(Consumer);

    [Test]
    public Task A_logistics_system_failing_40_percent_of_calls_does_each_order_once_by_its_ledger_and_the_step_is_Done() =>
        AssertFlakyGatewayIsRetriedToOneEffectAsync(Consumer);

    [Test]
    public Task A_logistics_system_refusing_the_request_dead_letters_the_OrderPaid_and_the_step_is_Failed_while_the_others_complete() =>
        AssertRefusingGatewayDeadLettersAsync(Consumer);

    [Test]
    public async Task The_warehouse_queue_lets_as_many_shipments_wait_on_logistics_as_its_request_consumer_allows()
    {
        // 128 in flight, not the 32 of the queue's other consumer (cancellations): at the article's 500 ms a call, 32
        // would ship ~55 orders/s, short of a 100/s load, and a backlog would grow before any fault.
        var prefetches = await Eventually.Until(() => RabbitManagement.ConsumerPrefetchesAsync(System.VirtualHost, "warehouse"),
            p => p.Count > 0, TimeSpan.FromSeconds(30), "a consumer on the warehouse queue");

        Assert.That(prefetches, Is.All.EqualTo(128));
    }

    [Test]
    public async Task Hold_lookups_asked_all_at_once_each_get_their_own_orders_answer()
    {
        var orders = Enumerable.Range(0, 600).Select(_ => Guid.NewGuid()).ToArray();
        var held = orders.Where((_, i) => i % 3 == 0).ToHashSet();
        await using (var connection = await System.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO warehouse_holds (order_id, created_at) VALUES (@OrderId, UTC_TIMESTAMP(6))",
                held.Select(id => new { OrderId = id }));
        }
        var lookups = System.Services.GetRequiredService<HoldLookups>();

        // More asks than one query takes, twice for some orders, all in flight together.
        var asked = orders.Concat(orders.Take(50)).ToArray();
        var answers = await Task.WhenAll(asked.Select(id => lookups.IsHeldAsync(id, CancellationToken.None)));

        Assert.That(answers, Is.EqualTo(asked.Select(held.Contains).ToArray()));
    }

    private static async Task<JsonArray> ShipmentsOfAsync(string orderId) =>
        (await Api.GetAsync($"/api/shipments?orderId={orderId}")).Json.AsArray();
}
