using System.Net;
using System.Text.Json;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Order;

/// <summary>Every rejected request answers 4xx problem+json and leaves the database byte-for-byte unchanged.</summary>
public sealed partial class RejectedRequestTests : SystemTest
{
    /// <summary>What each case may use: a product, an order waiting for payment, and a fulfilled paid order.</summary>
    public sealed record World(
        string Sku, string UserId, string CreatedOrder, decimal CreatedTotal, string PaidOrder, decimal PaidTotal, string CancelledOrder);

    public sealed record Case(string Name, HttpStatusCode Expected, Func<World, Task<Reply>> Send)
    {
        public override string ToString() => Name;
    }

    private static IEnumerable<Case> Cases()
    {
        yield return new("quantity 0", HttpStatusCode.BadRequest, w => Api.PlaceOrderAsync(w.UserId, (w.Sku, 0)));
        yield return new("quantity 1000", HttpStatusCode.BadRequest, w => Api.PlaceOrderAsync(w.UserId, (w.Sku, 1000)));
        yield return new("empty user id", HttpStatusCode.BadRequest, w => Api.PlaceOrderAsync("", (w.Sku, 1)));
        yield return new("user id of 65 characters", HttpStatusCode.BadRequest, w => Api.PlaceOrderAsync(new string('u', 65), (w.Sku, 1)));
        yield return new("unknown SKU", HttpStatusCode.BadRequest, w => Api.PlaceOrderAsync(w.UserId, ("NOPE-1", 1)));
        yield return new("no items", HttpStatusCode.BadRequest, w => Api.PlaceOrderAsync(w.UserId));
        yield return new("51 items", HttpStatusCode.BadRequest,
            w => Api.PlaceOrderAsync(w.UserId, Enumerable.Range(0, 51).Select(i => ($"S-{i}", 1)).ToArray()));
        yield return new("malformed JSON", HttpStatusCode.BadRequest, _ => Api.SendRawAsync(HttpMethod.Post, "/api/orders", "{\"userId\":"));
        yield return new("forged signature", HttpStatusCode.Unauthorized, w => Api.PayRawAsync(w.CreatedOrder,
            Body("pay-x", w.CreatedTotal), Infrastructure.Api.Sign(Body("pay-x", w.CreatedTotal), "wrong-secret")));
        yield return new("missing signature", HttpStatusCode.Unauthorized, w => Api.SendRawAsync(HttpMethod.Post,
            $"/api/orders/{w.CreatedOrder}/payment", Body("pay-x", w.CreatedTotal)));
        yield return new("amount mismatch", HttpStatusCode.UnprocessableEntity, w => Api.PayAsync(w.CreatedOrder, "pay-x", 1.00m));
        yield return new("unknown order", HttpStatusCode.NotFound, _ => Api.PayAsync(Guid.NewGuid().ToString(), "pay-x", 1.00m));
        // The provider's refund webhook and the operator's refund routes (a second payment is no bad input: it is refunded, RefundTests).
        const string Hook = "/api/payments/refund-webhook";
        var unknownRefund = $$"""{"refundId":"{{Guid.NewGuid()}}","status":"SUCCESS"}""";
        yield return new("webhook: unsigned", HttpStatusCode.Unauthorized, _ => Api.SendRawAsync(HttpMethod.Post, Hook, unknownRefund));
        yield return new("webhook: forged", HttpStatusCode.Unauthorized, _ => Api.SendRawAsync(HttpMethod.Post, Hook, unknownRefund,
            ("X-Signature", Infrastructure.Api.Sign(unknownRefund, "wrong-secret"))));
        foreach (var (name, body) in new[]
        {
            ("malformed JSON", "{\"refundId\":"), ("JSON array", "[]"), ("no status", $$"""{"refundId":"{{Guid.NewGuid()}}"}"""),
            ("unknown status", $$"""{"refundId":"{{Guid.NewGuid()}}","status":"MAYBE"}"""), ("empty id", """{"refundId":"00000000-0000-0000-0000-000000000000","status":"SUCCESS"}"""),
            ("unknown field", $$"""{"refundId":"{{Guid.NewGuid()}}","status":"SUCCESS","sql":"1"}"""),
        })
        {
            yield return new($"webhook: {name}", HttpStatusCode.BadRequest, _ => Api.SendRawAsync(HttpMethod.Post, Hook, body,
                ("X-Signature", Infrastructure.Api.Sign(body))));
        }
        yield return new("webhook: unknown refund", HttpStatusCode.NotFound, _ => Api.SendRawAsync(HttpMethod.Post, Hook, unknownRefund,
            ("X-Signature", Infrastructure.Api.Sign(unknownRefund))));
        (string, string) key = ("X-Api-Key", TestSettings.AdminKey);
        yield return new("refunds: list without key", HttpStatusCode.Unauthorized, _ => Api.SendRawAsync(HttpMethod.Get, "/api/admin/refunds", null));
        yield return new("refunds: unknown status", HttpStatusCode.BadRequest, _ => Api.SendRawAsync(HttpMethod.Get, "/api/admin/refunds?status=Lost", null, key));
        yield return new("refunds: retry a malformed id", HttpStatusCode.BadRequest, _ => Api.SendRawAsync(HttpMethod.Post, "/api/admin/refunds/x'--/retry", null, key));
        yield return new("refunds: reissue an unknown refund", HttpStatusCode.NotFound,
            _ => Api.SendRawAsync(HttpMethod.Post, $"/api/admin/refunds/{Guid.NewGuid()}/reissue", null, key));
        yield return new("refunds: resolve without a note", HttpStatusCode.BadRequest,
            _ => Api.SendRawAsync(HttpMethod.Post, $"/api/admin/refunds/{Guid.NewGuid()}/resolve", "{\"note\":\"  \"}", key));
        yield return new("admin route without key", HttpStatusCode.Unauthorized, w => Api.PutProductAsync(w.Sku, 1m, 1, adminKey: ""));
        yield return new("admin route with wrong key", HttpStatusCode.Unauthorized, w => Api.PutProductAsync(w.Sku, 1m, 1, adminKey: "guess"));
    }

    private static IEnumerable<Case> AllCases() => Cases().Concat(HostileCases()).Concat(OperatorCases());

    // Building the world takes seconds (a payment fulfilled, a refund through its states), and there are 150 cases. Each
    // case proves it changed nothing, so the next one may use the same world; after a failing case it is built anew.
    private World? _world;

    protected override bool ResetsDatabaseBeforeEachTest => false;

    [TestCaseSource(nameof(AllCases))]
    public async Task Is_rejected_with_a_problem_and_changes_nothing(Case rejected)
    {
        var world = _world ?? await NewWorldAsync();
        _world = null; // until this case has shown that it changed nothing
        var before = await SettledChecksumAsync();

        var reply = await rejected.Send(world);

        Assert.That(reply.Status, Is.EqualTo(rejected.Expected), reply.ToString());
        Assert.That(reply.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(reply.Json["title"]?.GetValue<string>(), Is.Not.Empty);
        Assert.That(reply.Json["detail"]?.GetValue<string>() ?? reply.Json["errors"]?.ToJsonString(), Is.Not.Empty,
            "the problem says what to fix");
        await using var connection = await System.OpenAsync();
        Assert.That(await DatabaseChecksum.OfAsync(connection), Is.EqualTo(before));
        _world = world;
    }

    private const string UndispatchedSql = """
        SELECT (SELECT COUNT(*) FROM order_outbox WHERE dispatched_at IS NULL) + (SELECT COUNT(*) FROM points_outbox WHERE dispatched_at IS NULL)
             + (SELECT COUNT(*) FROM marketing_outbox WHERE dispatched_at IS NULL) + (SELECT COUNT(*) FROM push_outbox WHERE dispatched_at IS NULL)
             + (SELECT COUNT(*) FROM warehouse_outbox WHERE dispatched_at IS NULL) + (SELECT COUNT(*) FROM refunds_outbox WHERE dispatched_at IS NULL)
        """;

    private static string Body(string paymentId, decimal amount) => JsonSerializer.Serialize(new { paymentId, amount });

    private static async Task<World> NewWorldAsync()
    {
        await System.ResetAsync();
        var sku = await NewProductAsync(available: 100);
        var user = Fresh("u");
        var (created, createdTotal) = await NewOrderAsync(user, sku);
        var (paid, paidTotal) = await NewOrderAsync(user, sku);
        Assert.That((await Api.PayAsync(paid, "pay-1", paidTotal)).Status, Is.EqualTo(HttpStatusCode.OK));
        var soldOut = await NewProductAsync(available: 0);
        var (cancelled, cancelledTotal) = await NewOrderAsync(user, soldOut);
        Assert.That((await Api.PayAsync(cancelled, "pay-2", cancelledTotal)).Status, Is.EqualTo(HttpStatusCode.Conflict));
        await WaitUntilFulfilledAsync(paid); // nothing asynchronous may still be writing while we compare
        // Nor the cancelled order's refund, which the processor takes through its states.
        await Eventually.Until(() => Api.GetAsync($"/api/orders/{cancelled}"),
            r => r.Json["refunds"]!.AsArray().All(x => x!["status"]!.GetValue<string>() == "Succeeded"), TimeSpan.FromSeconds(30),
            "the cancelled order's refund to end");
        // The relays mark rows dispatched just after the broker's confirm, which can come after the consumers' work.
        await Eventually.Until(() => CountAsync(UndispatchedSql), n => n == 0, TimeSpan.FromSeconds(30), "every outbox row dispatched");
        return new World(sku, user, created, createdTotal, paid, paidTotal, cancelled);
    }
}
