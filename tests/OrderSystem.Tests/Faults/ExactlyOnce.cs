using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Faults;

/// <summary>Drives a load through hosts that run as processes, and checks that every paid order had each effect once.</summary>
internal static class ExactlyOnce
{
    public const string Sku = "LOAD-1";
    public const int InitialStock = 1000;

    public static async Task<List<(string OrderId, decimal Total)>> PlaceOrdersAsync(IReadOnlyList<Api> apis, int count)
    {
        var put = await apis[0].PutProductAsync(Sku, 7.25m, InitialStock);
        Assert.That(put.Status, Is.EqualTo(HttpStatusCode.OK), put.ToString());
        var orders = new List<(string, decimal)>();
        for (var i = 0; i < count; i++)
        {
            var reply = await apis[i % apis.Count].PlaceOrderAsync($"load-user-{i}", (Sku, 1 + i % 3));
            Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.Created), reply.ToString());
            orders.Add((reply.Json["orderId"]!.GetValue<string>(), reply.Json["totalAmount"]!.GetValue<decimal>()));
        }
        return orders;
    }

    /// <summary>Pays each order through the hosts in turn, 8 at a time. Returns each callback's status, or null when the request failed.</summary>
    public static async Task<HttpStatusCode?[]> PayAsync(IReadOnlyList<Api> apis, IReadOnlyList<(string OrderId, decimal Total)> orders,
        Action? onAnswer = null)
    {
        var statuses = new HttpStatusCode?[orders.Count];
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(orders.Select(async (order, i) =>
        {
            await gate.WaitAsync();
            try
            {
                statuses[i] = (await apis[i % apis.Count].PayAsync(order.OrderId, $"pay-{order.OrderId}", order.Total)).Status;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                statuses[i] = null; // the host died under this request: the provider will send it again
                TestContext.Out.WriteLine($"payment {order.OrderId} failed: {e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
            }
            finally
            {
                gate.Release();
                onAnswer?.Invoke();
            }
        }));
        return statuses;
    }

    /// <summary>Waits until every paid order is fulfilled and every outbox row is out, then checks the effects one by one.</summary>
    public static async Task AssertEachEffectOnceAsync(ProcessSystem system, Api api, IReadOnlyList<(string OrderId, decimal Total)> orders)
    {
        var paid = orders.Count;
        await Eventually.Until(() => system.CountAsync("SELECT COUNT(*) FROM order_fulfillment WHERE status = 'Done'"), n => n == 4 * paid,
            TimeSpan.FromSeconds(180), $"all {4 * paid} fulfillment steps of {paid} orders");
        foreach (var table in ModuleTopology.OutboxTables)
        {
            await Eventually.Until(() => system.CountAsync($"SELECT COUNT(*) FROM {table} WHERE dispatched_at IS NULL"), n => n == 0,
                TimeSpan.FromSeconds(60), $"every row of {table} dispatched");
        }

        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM order_orders WHERE status = 'Paid'"), Is.EqualTo(paid));
        Assert.That(await system.CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_type LIKE '%.OrderPaid'"), Is.EqualTo(paid), "one OrderPaid per payment");
        foreach (var (table, column) in new[]
                 {
                     ("points_entries", "order_id"), ("marketing_coupons", "order_id"), ("push_sms", "order_id"), ("warehouse_shipments", "order_id"),
                 })
        {
            Assert.That(await system.CountAsync($"SELECT COUNT(*) FROM {table}"), Is.EqualTo(paid), table);
            Assert.That(await system.CountAsync($"SELECT COUNT(DISTINCT {column}) FROM {table}"), Is.EqualTo(paid), table);
        }
        foreach (var inbox in new[] { "points_inbox", "marketing_inbox", "push_inbox", "warehouse_inbox" })
        {
            Assert.That(await system.CountAsync($"SELECT COUNT(*) FROM {inbox}"), Is.EqualTo(paid), $"{inbox}: one message handled per order");
        }
        var taken = await system.CountAsync(
            "SELECT SUM(i.quantity) FROM order_items i JOIN order_orders o ON o.id = i.order_id WHERE o.status = 'Paid'");
        Assert.That(await system.CountAsync("SELECT available FROM inventory_products WHERE sku = @Sku", new { Sku }),
            Is.EqualTo(InitialStock - taken), "stock = start - what paid orders took");
        foreach (var queue in new[] { "points", "marketing", "push", "warehouse", "order" })
        {
            Assert.That(await RabbitManagement.MessageCountAsync(system.VirtualHost, queue + "_error"), Is.Zero, $"{queue}_error");
        }
        await AssertThirdPartiesDidEachOnceAsync(orders.Select(o => Guid.Parse(o.OrderId)));
        await AssertReconciledAsync(api);
    }

    /// <summary>The third parties' own ledgers are the judge: one text and one waybill per order, whatever was retried.</summary>
    public static async Task AssertThirdPartiesDidEachOnceAsync(IEnumerable<Guid> orderIds)
    {
        foreach (var orderId in orderIds)
        {
            Assert.That(await Simulator.LedgerAsync("sms", orderId), Has.Count.EqualTo(1), $"texts the SMS gateway sent for order {orderId}");
            Assert.That(await Simulator.LedgerAsync("logistics", orderId), Has.Count.EqualTo(1), $"waybills of order {orderId}");
        }
    }

    /// <summary>The operator's audit agrees: nothing overdue (with no grace at all), nothing doubled, stock adds up.</summary>
    public static async Task AssertReconciledAsync(Api api)
    {
        var audit = await api.SendRawAsync(HttpMethod.Get, "/api/admin/reconciliation?olderThanSeconds=0", null, ("X-Api-Key", TestSettings.AdminKey));
        Assert.That(audit.Status, Is.EqualTo(HttpStatusCode.OK), audit.ToString());
        Assert.That(audit.Json["findings"]!.AsArray(), Is.Empty, audit.Body);
    }
}
