using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>
/// Issue 13: a row the relay can never publish (its type no longer resolves, its payload is broken) must not slow the
/// rest of its outbox. A system of its own with the production poll and backoff (5 s, 30 s), where the old relay took
/// up to 30 s per batch behind such a row.
/// </summary>
public sealed class OutboxPoisonTests
{
    private static readonly (string, string) AdminKey = ("X-Api-Key", TestSettings.AdminKey);
    private static readonly TimeSpan WithinPayment = TimeSpan.FromSeconds(2);
    private TestSystem _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _system = await TestSystem.StartAsync("outbox_poison", settings: new Dictionary<string, string>
    {
        ["Outbox:PollIntervalMs"] = "5000", // appsettings.json's, which TestSystem shortens
        ["Outbox:MaxBackoffMs"] = "30000",
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [SetUp]
    public Task ResetAsync() => _system.ResetAsync();

    [Test]
    public async Task Broken_rows_among_200_paid_orders_are_parked_and_every_order_is_fulfilled_within_2_s_of_its_payment()
    {
        var sku = await NewProductAsync();
        var orders = new List<(string Id, decimal Total)>();
        for (var i = 0; i < 200; i++)
        {
            orders.Add(await NewOrderAsync(sku));
        }
        var unknownType = await InsertBrokenRowAsync("OrderSystem.Order.Contracts.OrderPaidV0", """{"orderId":"x"}""");

        var paidAt = new ConcurrentDictionary<string, TimeSpan>();
        var fulfilledAt = new ConcurrentDictionary<string, TimeSpan>();
        var clock = Stopwatch.StartNew();
        var watching = WatchFulfillmentAsync(orders.Count, fulfilledAt, clock);
        Guid brokenJson = default;
        for (var i = 0; i < orders.Count; i++)
        {
            if (i == orders.Count / 2)
            {
                brokenJson = await InsertBrokenRowAsync("OrderSystem.Order.Contracts.OrderPaid", """{"orderId": """);
            }
            // Not a wait: the payments are paced, one every 50 ms, so that they span 10 s. A burst would be over before
            // the old relay's backoff behind a broken row had grown past 2 s (400, 800, 1,600 ms, ... 30 s).
            var due = TimeSpan.FromMilliseconds(50 * i) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            var (id, total) = orders[i];
            paidAt[id] = clock.Elapsed;
            var paid = await _system.Api.PayAsync(id, "pay-" + id, total);
            Assert.That(paid.Status, Is.EqualTo(HttpStatusCode.OK), paid.ToString());
        }
        await watching;

        var latencies = orders.ToDictionary(o => o.Id, o => fulfilledAt[o.Id] - paidAt[o.Id]);
        var slowest = latencies.MaxBy(l => l.Value);
        TestContext.Out.WriteLine($"payment to fulfilled: max {slowest.Value.TotalMilliseconds:0} ms, " +
            $"p50 {latencies.Values.Order().ElementAt(100).TotalMilliseconds:0} ms");
        Assert.That(latencies.Where(l => l.Value > WithinPayment).Select(l => $"{l.Key}: {l.Value.TotalMilliseconds:0} ms"), Is.Empty,
            "orders fulfilled later than 2 s after their payment");

        // Both broken rows are parked (and only they), each with its own error, and listed as failed.
        var failed = await ParkedAsync();
        Assert.That(failed.Keys, Is.EquivalentTo(new[] { unknownType, brokenJson }));
        Assert.That(failed[unknownType]["lastError"]!.GetValue<string>(), Does.Contain("OrderPaidV0"));
        Assert.That(failed[brokenJson]["lastError"]!.GetValue<string>(), Does.Contain("JsonException"));
        Assert.That(failed[brokenJson]["attempts"]!.GetValue<int>(), Is.EqualTo(5), "parked at once at Outbox:MaxAttempts");
        Assert.That((await AdminAsync(HttpMethod.Get, "/api/admin/outbox?state=pending")).Json["items"]!.AsArray(), Is.Empty);

        // Retried as it is, the broken payload fails again and is parked again.
        var retry = await AdminAsync(HttpMethod.Post, $"/api/admin/outbox/{brokenJson}/retry");
        Assert.That(retry.Status, Is.EqualTo(HttpStatusCode.Accepted), retry.ToString());
        Assert.That(retry.Json["state"]!.GetValue<string>(), Is.EqualTo("pending"));
        await Eventually.Until(ParkedAsync, p => p.ContainsKey(brokenJson), TimeSpan.FromSeconds(10), "the retried broken row to be parked again");

        // Fixed in the database (the type and payload of a real OrderPaid), the other is delivered on its retry; the
        // OrderPaid of an order already fulfilled changes nothing.
        await ExecuteAsync("""
            UPDATE order_outbox p JOIN (SELECT message_type, payload FROM order_outbox
                WHERE message_type LIKE '%.OrderPaid' AND payload LIKE CONCAT('%', @first, '%')) s
            SET p.message_type = s.message_type, p.payload = s.payload WHERE p.message_id = @unknownType
            """, new { first = orders[0].Id, unknownType });
        Assert.That((await AdminAsync(HttpMethod.Post, $"/api/admin/outbox/{unknownType}/retry")).Status, Is.EqualTo(HttpStatusCode.Accepted));
        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM order_outbox WHERE dispatched_at IS NULL"), n => n == 1,
            TimeSpan.FromSeconds(10), "the fixed row to be delivered");
        Assert.That((await AdminAsync(HttpMethod.Post, $"/api/admin/outbox/{unknownType}/retry")).Status, Is.EqualTo(HttpStatusCode.Conflict));
        await Eventually.Until(() => AdminAsync(HttpMethod.Get, "/api/admin/reconciliation?olderThanSeconds=0"),
            r => r.Json["findings"]!.AsArray().Count == 0, TimeSpan.FromSeconds(10), "reconciliation to be empty");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_entries"), Is.EqualTo(200));
    }

    [Test]
    public async Task A_broken_row_alone_then_one_paid_order_the_order_is_fulfilled_within_2_s()
    {
        var sku = await NewProductAsync();
        var (orderId, total) = await NewOrderAsync(sku);
        var broken = await InsertBrokenRowAsync("Nope.Unknown", "{}");
        // Nothing wakes the relay for a row written by hand: its 5-s poll claims the row alone.
        await Eventually.Until(ParkedAsync, p => p.ContainsKey(broken), TimeSpan.FromSeconds(15), "the broken row to be parked");

        var clock = Stopwatch.StartNew();
        Assert.That((await _system.Api.PayAsync(orderId, "pay-1", total)).Status, Is.EqualTo(HttpStatusCode.OK));
        await Eventually.Until(() => FulfilledAsync(), ids => ids.Contains(orderId), WithinPayment, "the order to be fulfilled within 2 s");
        TestContext.Out.WriteLine($"payment to fulfilled: {clock.ElapsedMilliseconds} ms");
    }

    [Test]
    public async Task The_claim_reads_the_pending_index_in_id_order()
    {
        await ExecuteAsync("""
            INSERT INTO order_outbox (message_id, message_type, payload, created_at, dispatched_at, attempts)
            SELECT UUID(), 'T', '{}', UTC_TIMESTAMP(6), IF(seq % 100 = 0, NULL, UTC_TIMESTAMP(6)), IF(seq % 200 = 0, 5, 0)
            FROM seq_1_to_3000
            """);
        var relay = _system.Services.GetServices<IHostedService>().OfType<OutboxRelay>().Single(r => r.Table == "order_outbox");
        await using var connection = await _system.OpenAsync();
        await connection.ExecuteAsync("ANALYZE TABLE order_outbox");

        var plan = (await connection.QueryAsync("EXPLAIN " + relay.ClaimSelectSql, new { BatchSize = 200, MaxAttempts = 5 }))
            .Cast<IDictionary<string, object>>().Single();

        Assert.That(plan["key"], Is.EqualTo("ix_order_outbox_pending"), string.Join(", ", plan));
        Assert.That(plan["Extra"]?.ToString() ?? "", Does.Not.Contain("filesort"), string.Join(", ", plan));
        await ExecuteAsync("DELETE FROM order_outbox"); // the relay parks the pending rows of type 'T' if it meets them
    }

    /// <summary>Polls the fulfilled orders (all four steps Done) and notes when each was first seen.</summary>
    private async Task WatchFulfillmentAsync(int count, ConcurrentDictionary<string, TimeSpan> fulfilledAt, Stopwatch clock) =>
        await Eventually.Until(async () =>
        {
            foreach (var id in await FulfilledAsync())
            {
                fulfilledAt.TryAdd(id, clock.Elapsed);
            }
            return fulfilledAt.Count;
        }, n => n == count, TimeSpan.FromSeconds(90), "every order to be fulfilled");

    private async Task<HashSet<string>> FulfilledAsync()
    {
        await using var connection = await _system.OpenAsync();
        return (await connection.QueryAsync<Guid>(
            "SELECT order_id FROM order_fulfillment WHERE status = 'Done' GROUP BY order_id HAVING COUNT(*) = 4")).Select(id => id.ToString()).ToHashSet();
    }

    private async Task<Dictionary<Guid, JsonNode>> ParkedAsync() =>
        (await AdminAsync(HttpMethod.Get, "/api/admin/outbox?state=failed")).Json["items"]!.AsArray()
        .ToDictionary(i => i!["messageId"]!.GetValue<Guid>(), i => i!);

    private async Task<Guid> InsertBrokenRowAsync(string type, string payload)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync("INSERT INTO order_outbox (message_id, message_type, payload, created_at) VALUES (@id, @type, @payload, UTC_TIMESTAMP(6))",
            new { id, type, payload });
        return id;
    }

    private async Task<string> NewProductAsync()
    {
        var sku = "P-" + Guid.NewGuid().ToString("N")[..10];
        Assert.That((await _system.Api.PutProductAsync(sku, 10m, 1000)).Status, Is.EqualTo(HttpStatusCode.OK));
        return sku;
    }

    private async Task<(string Id, decimal Total)> NewOrderAsync(string sku)
    {
        var reply = await _system.Api.PlaceOrderAsync("u-" + Guid.NewGuid().ToString("N")[..8], (sku, 1));
        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.Created), reply.ToString());
        return (reply.Json["orderId"]!.GetValue<string>(), reply.Json["totalAmount"]!.GetValue<decimal>());
    }

    private Task<Reply> AdminAsync(HttpMethod method, string path) => _system.Api.SendRawAsync(method, path, null, AdminKey);

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await _system.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = await _system.OpenAsync();
        await connection.ExecuteAsync(sql, args);
    }
}
