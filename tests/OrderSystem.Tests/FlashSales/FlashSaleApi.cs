using System.Net;
using OrderSystem.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrderSystem.Tests.FlashSales;

/// <summary>A flash sale's routes as a client calls them, and the checks every flash sale test ends with.</summary>
internal static class FlashSaleApi
{
    /// <summary>The start of every problem type the routes answer with (a sold-out refusal is Problem + "sold-out").</summary>
    public const string Problem = "https://ordersystem.dev/problems/";

    public static Task<Reply> DefineAsync(this Api api, string saleId, string sku, int units, decimal price = 5.00m, int perUserLimit = 1,
        DateTime? startsAt = null, DateTime? endsAt = null) =>
        api.SendAsync(HttpMethod.Put, $"/api/admin/flash-sales/{saleId}", new
        {
            sku, units, price,
            startsAt = startsAt ?? DateTime.UtcNow.AddMinutes(-1),
            endsAt = endsAt ?? DateTime.UtcNow.AddHours(1),
            perUserLimit,
        }, ("X-Api-Key", TestSettings.AdminKey));

    public static Task<Reply> RequestAsync(this Api api, string saleId, string userId, int quantity = 1) =>
        api.SendAsync(HttpMethod.Post, $"/api/flash-sales/{saleId}/orders", new { userId, quantity });

    public static async Task<int> RemainingAsync(this Api api, string saleId) =>
        (await api.GetAsync($"/api/flash-sales/{saleId}")).Json["remaining"]!.GetValue<int>();

    public static async Task<(int Available, int Reserved)> StockAsync(Func<string, object?, Task<long>> count, string sku) =>
        ((int)await count("SELECT available FROM inventory_products WHERE sku = @Sku", new { Sku = sku }),
         (int)await count("SELECT reserved FROM inventory_products WHERE sku = @Sku", new { Sku = sku }));

    public static string TicketOf(Reply reply) => reply.Json["ticketId"]!.GetValue<string>();

    /// <summary>Until every ticket answers Ordered (or Rejected), each once.</summary>
    public static async Task<Dictionary<string, string>> WaitUntilWrittenAsync(this Api api, string saleId, IReadOnlyCollection<string> tickets, int seconds = 30)
    {
        var statuses = new Dictionary<string, string>();
        await Eventually.Until(async () =>
        {
            foreach (var ticket in tickets.Where(t => !statuses.ContainsKey(t)))
            {
                var reply = await api.GetAsync($"/api/flash-sales/{saleId}/tickets/{ticket}");
                Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.OK), reply.ToString());
                var status = reply.Json["status"]!.GetValue<string>();
                if (status != "Pending")
                {
                    statuses[ticket] = status;
                }
            }
            return statuses.Count;
        }, n => n == tickets.Count, TimeSpan.FromSeconds(seconds), $"{tickets.Count} tickets to be written");
        return statuses;
    }

    /// <summary>Until reconciliation (every module's audit, the flash sales' too) finds nothing: reservations, tickets, orders and stock agree.</summary>
    public static Task<Reply> WaitUntilReconciledAsync(this Api api, int seconds = 30) =>
        Eventually.Until(() => api.SendRawAsync(HttpMethod.Get, "/api/admin/reconciliation", null, ("X-Api-Key", TestSettings.AdminKey)),
            r => r.Status == HttpStatusCode.OK && r.Json["findings"]!.AsArray().Count == 0, TimeSpan.FromSeconds(seconds),
            "reconciliation to find nothing");

    /// <summary>The keys matching a pattern, found with SCAN as an operator would look.</summary>
    public static async Task<List<string>> KeysAsync(IConnectionMultiplexer redis, RedisValue pattern)
    {
        var keys = new List<string>();
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: pattern))
            {
                keys.Add(key.ToString());
            }
        }
        return keys;
    }

    /// <summary>The requests of one sale still in the store's stream (unread, or read and not yet acknowledged and deleted).</summary>
    public static async Task<int> QueuedAsync(IDatabase store, RedisKey stream, string saleId) =>
        (await store.StreamRangeAsync(stream, "-", "+")).Count(e => e["sale"] == saleId);

    /// <summary>A system of its own (in-process host, database of its own) with <paramref name="settings"/>, its store keys cleared.</summary>
    public static async Task<TestSystem> StartSystemWithEmptyStoreAsync(string name, Dictionary<string, string> settings)
    {
        var system = await TestSystem.StartAsync(name, settings: settings);
        await ClearStoreAsync(system.Get<IConnectionMultiplexer>(), system.Get<OrderSystem.FlashSales.SaleStore>().KeyPattern);
        return system;
    }

    /// <summary>Deletes every key of a store prefix, so a test starts from an empty store.</summary>
    public static async Task ClearStoreAsync(IConnectionMultiplexer redis, RedisValue pattern)
    {
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: pattern))
            {
                await redis.GetDatabase().KeyDeleteAsync(key);
            }
        }
    }
}
