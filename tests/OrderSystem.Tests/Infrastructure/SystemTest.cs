using Dapper;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>Base for tests against the shared system: a clean database per test and the usual steps of a buyer.</summary>
public abstract class SystemTest
{
    internal static TestSystem System => OrderSystem.Tests.GlobalSetup.System;

    internal static Api Api => System.Api;

    [SetUp]
    public Task ResetDatabaseAsync() => ResetsDatabaseBeforeEachTest ? System.ResetAsync() : Task.CompletedTask;

    /// <summary>
    /// False for a fixture whose tests share what they set up and each prove that they changed nothing; it then resets
    /// the database itself whenever it builds that setup.
    /// </summary>
    protected virtual bool ResetsDatabaseBeforeEachTest => true;

    internal static string Fresh(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    internal static async Task<string> NewProductAsync(decimal price = 9.99m, int available = 1000)
    {
        var sku = Fresh("SKU");
        var reply = await Api.PutProductAsync(sku, price, available);
        Assert.That(reply.Status, Is.EqualTo(global::System.Net.HttpStatusCode.OK), reply.ToString());
        return sku;
    }

    internal static async Task<(string OrderId, decimal Total)> NewOrderAsync(string userId, string sku, int quantity = 1)
    {
        var reply = await Api.PlaceOrderAsync(userId, (sku, quantity));
        Assert.That(reply.Status, Is.EqualTo(global::System.Net.HttpStatusCode.Created), reply.ToString());
        return (reply.Json["orderId"]!.GetValue<string>(), reply.Json["totalAmount"]!.GetValue<decimal>());
    }

    /// <summary>Waits until all four fulfillment steps report Done, so no asynchronous work is left in flight.</summary>
    internal static Task<Reply> WaitUntilFulfilledAsync(string orderId, int seconds = 30) =>
        Eventually.Until(() => Api.GetAsync($"/api/orders/{orderId}"), r =>
                r.Json["fulfillment"] is { } f &&
                new[] { "points", "coupon", "sms", "shipment" }.All(step => f[step]!["status"]!.GetValue<string>() == "Done"),
            TimeSpan.FromSeconds(seconds), $"order {orderId} to be fulfilled");

    internal static async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var connection = await System.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }

    // Order records each refund state it is told of (order_inbox) after Refunds publishes it; the feed then sequences
    // Order's outbox and publishes what it sequenced.
    private const string StillSettlingSql = """
        SELECT (SELECT COUNT(*) FROM refunds_outbox WHERE message_type LIKE '%.RefundChanged') > (SELECT COUNT(*) FROM order_inbox)
            OR ((SELECT COUNT(*) FROM order_outbox) > 0 AND NOT EXISTS (SELECT 1 FROM feed_cursor
                WHERE source_position >= (SELECT MAX(id) FROM order_outbox) AND published_sequence = last_sequence))
        """;

    /// <summary>
    /// The database's checksum once nothing asynchronous is left to write: every refund state recorded by Order, the
    /// feed caught up with Order's outbox, and two checksums in a row the same.
    /// </summary>
    internal static async Task<string> SettledChecksumAsync()
    {
        await Eventually.Until(() => CountAsync(StillSettlingSql), settling => settling == 0, TimeSpan.FromSeconds(30),
            "Order to record every refund state and the feed to catch up");
        string? last = null;
        return (await Eventually.Until(async () =>
        {
            await using var connection = await System.OpenAsync();
            var previous = last;
            last = await DatabaseChecksum.OfAsync(connection);
            return (Checksum: last, Same: last == previous);
        }, c => c.Same, TimeSpan.FromSeconds(20), "the database to settle")).Checksum;
    }
}
