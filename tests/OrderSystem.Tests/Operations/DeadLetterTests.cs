using System.Net;
using OrderSystem.Push;
using OrderSystem.Tests.Infrastructure;
using static OrderSystem.Tests.Operations.OrderPaidConsumers;

namespace OrderSystem.Tests.Operations;

public sealed class DeadLetterTests : SystemTest
{
    private static readonly (string, string) AdminKey = ("X-Api-Key", TestSettings.AdminKey);

    [Test]
    public async Task A_consumer_that_always_fails_dead_letters_its_message_which_a_replay_delivers_once_after_the_fix()
    {
        var sku = await NewProductAsync(available: 10);
        var user = Fresh("u");
        var (orderId, total) = await NewOrderAsync(user, sku);
        await using (await OverrideGatewayAsync(SmsGateway.Party, new { rejectProbability = 1 })) // refuses it until fixed
        {
            Assert.That((await Api.PayAsync(orderId, "pay-1", total)).Status, Is.EqualTo(HttpStatusCode.OK));
            var listed = await Eventually.Until(() => Admin(HttpMethod.Get, "/api/admin/dead-letters"),
                r => r.Status == HttpStatusCode.OK && r.Json.AsArray().Any(q => q!["module"]!.GetValue<string>() == "push" && q["messages"]!.GetValue<int>() == 1),
                TimeSpan.FromSeconds(30), "the OrderPaid in push_error");
            var push = listed.Json.AsArray().Single(q => q!["module"]!.GetValue<string>() == "push")!;
            var letter = push["sample"]![0]!;
            var outboxId = await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_id = @Id", new { Id = letter["messageId"]!.GetValue<Guid>() });
            Assert.That(outboxId, Is.EqualTo(1), "the dead letter keeps the outbox row's MessageId");
            Assert.That(letter["fault"]!.GetValue<string>(), Does.Contain("refused the request"));
            Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms"), Is.Zero);
        }

        var replay = await Admin(HttpMethod.Post, "/api/admin/dead-letters/push/replay");

        Assert.That(replay.Status, Is.EqualTo(HttpStatusCode.OK), replay.ToString());
        Assert.That(replay.Json["replayed"]!.GetValue<int>(), Is.EqualTo(1));
        await WaitUntilFulfilledAsync(orderId);
        Assert.That((await Admin(HttpMethod.Post, "/api/admin/dead-letters/push/replay")).Json["replayed"]!.GetValue<int>(), Is.Zero);
        Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms WHERE order_id = @orderId", new { orderId }), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM points_entries WHERE order_id = @orderId", new { orderId }), Is.EqualTo(1));
        Assert.That((await Admin(HttpMethod.Post, "/api/admin/dead-letters/nope/replay")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        await Faults.ExactlyOnce.AssertReconciledAsync(Api);
    }

    [Test]
    public async Task One_dead_letter_is_replayed_by_its_message_id_and_the_others_stay_in_the_error_queue()
    {
        var sku = await NewProductAsync(available: 10);
        var first = await NewOrderAsync(Fresh("u"), sku);
        var second = await NewOrderAsync(Fresh("u"), sku);
        await using (await OverrideGatewayAsync(SmsGateway.Party, new { rejectProbability = 1 }))
        {
            Assert.That((await Api.PayAsync(first.OrderId, "pay-1", first.Total)).Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await Api.PayAsync(second.OrderId, "pay-2", second.Total)).Status, Is.EqualTo(HttpStatusCode.OK));
            await Eventually.Until(() => Admin(HttpMethod.Get, "/api/admin/dead-letters"),
                r => r.Status == HttpStatusCode.OK && r.Json.AsArray().Any(q => q!["module"]!.GetValue<string>() == "push" && q["messages"]!.GetValue<int>() == 2),
                TimeSpan.FromSeconds(30), "both OrderPaid in push_error");
        }
        var firstMessage = await OrderPaidMessageIdAsync(first.OrderId);

        var replay = await Admin(HttpMethod.Post, $"/api/admin/dead-letters/push/{firstMessage}/replay");

        Assert.That(replay.Status, Is.EqualTo(HttpStatusCode.OK), replay.ToString());
        await Eventually.Until(() => Api.GetAsync($"/api/orders/{first.OrderId}"),
            r => r.Json["fulfillment"]!["sms"]!["status"]!.GetValue<string>() == "Done", TimeSpan.FromSeconds(30), "the replayed SMS");
        var again = await Admin(HttpMethod.Post, $"/api/admin/dead-letters/push/{firstMessage}/replay");
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.NotFound), again.ToString());
        Assert.That(again.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await Admin(HttpMethod.Post, "/api/admin/dead-letters/push/not-a-guid/replay")).Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await Admin(HttpMethod.Post, $"/api/admin/dead-letters/nope/{firstMessage}/replay")).Status, Is.EqualTo(HttpStatusCode.NotFound));
        await Eventually.Until(() => RabbitManagement.MessageCountAsync(System.VirtualHost, "push_error"), count => count == 1,
            TimeSpan.FromSeconds(30), "the other letter to stay in push_error");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms WHERE order_id = @Id", new { Id = second.OrderId }), Is.Zero);
        Assert.That((await Admin(HttpMethod.Post, "/api/admin/dead-letters/push/replay")).Json["replayed"]!.GetValue<int>(), Is.EqualTo(1));
        await WaitUntilFulfilledAsync(second.OrderId);
    }

    private static async Task<Guid> OrderPaidMessageIdAsync(string orderId)
    {
        await using var connection = await System.OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<Guid>(connection,
            "SELECT message_id FROM order_outbox WHERE message_type LIKE '%.OrderPaid' AND payload LIKE CONCAT('%', @orderId, '%')", new { orderId });
    }

    private static Task<Reply> Admin(HttpMethod method, string path) => Api.SendRawAsync(method, path, null, AdminKey);
}
