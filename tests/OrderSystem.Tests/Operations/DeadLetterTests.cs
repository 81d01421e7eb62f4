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

    private static Task<Reply> Admin(HttpMethod method, string path) => Api.SendRawAsync(method, path, null, AdminKey);
}
