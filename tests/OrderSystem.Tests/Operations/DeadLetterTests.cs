using System.Net;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Simulation;
using OrderSystem.Tests.Infrastructure;

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
        SetSmsFailureProbability(1); // the SMS gateway is down for good
        try
        {
            Assert.That((await Api.PayAsync(orderId, "pay-1", total)).Status, Is.EqualTo(HttpStatusCode.OK));
            var listed = await Eventually.Until(() => Admin(HttpMethod.Get, "/api/admin/dead-letters"),
                r => r.Status == HttpStatusCode.OK && r.Json.AsArray().Any(q => q!["module"]!.GetValue<string>() == "push" && q["messages"]!.GetValue<int>() == 1),
                TimeSpan.FromSeconds(30), "the OrderPaid in push_error");
            var push = listed.Json.AsArray().Single(q => q!["module"]!.GetValue<string>() == "push")!;
            var letter = push["sample"]![0]!;
            var outboxId = await CountAsync("SELECT COUNT(*) FROM order_outbox WHERE message_id = @Id", new { Id = letter["messageId"]!.GetValue<Guid>() });
            Assert.That(outboxId, Is.EqualTo(1), "the dead letter keeps the outbox row's MessageId");
            Assert.That(letter["fault"]!.GetValue<string>(), Does.Contain("simulated failure"));
            Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms"), Is.Zero);
        }
        finally
        {
            SetSmsFailureProbability(0); // fixed
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
    public async Task A_consumer_that_fails_transiently_is_retried_and_has_its_effect_once()
    {
        var sku = await NewProductAsync(available: 10);
        var user = Fresh("u");
        var (orderId, total) = await NewOrderAsync(user, sku);
        SetSmsGateway(new SimulatedLatencyOptions { FailFirstAttempts = 2 }); // fails twice per message, then recovers
        try
        {
            Assert.That((await Api.PayAsync(orderId, "pay-1", total)).Status, Is.EqualTo(HttpStatusCode.OK));

            await WaitUntilFulfilledAsync(orderId);
        }
        finally
        {
            SetSmsGateway(new SimulatedLatencyOptions());
        }
        Assert.That(await CountAsync("SELECT COUNT(*) FROM push_sms WHERE order_id = @orderId", new { orderId }), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_fulfilment WHERE order_id = @orderId AND step = 'sms' AND status = 'Done'",
            new { orderId }), Is.EqualTo(1), "the SMS step recorded Done");
        var deadLetters = (await Admin(HttpMethod.Get, "/api/admin/dead-letters")).Json.AsArray();
        Assert.That(deadLetters.Single(q => q!["module"]!.GetValue<string>() == "push")!["messages"]!.GetValue<int>(), Is.Zero,
            "retried in process, never dead-lettered");
    }

    private static void SetSmsFailureProbability(double probability) =>
        SetSmsGateway(new SimulatedLatencyOptions { FailureProbability = probability });

    /// <summary>The gateway reads its options per call through IOptionsMonitor, whose cache we swap.</summary>
    private static void SetSmsGateway(SimulatedLatencyOptions options)
    {
        var cache = System.Get<IOptionsMonitorCache<SimulatedLatencyOptions>>();
        cache.TryRemove("Sms");
        cache.TryAdd("Sms", options);
    }

    private static Task<Reply> Admin(HttpMethod method, string path) => Api.SendRawAsync(method, path, null, AdminKey);
}
