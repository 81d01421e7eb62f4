using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.ThirdParties;

/// <summary>Business calls: one piece of work per Idempotency-Key, the ledger that records it, waybills, and how many calls are kept.</summary>
public sealed class SimulatorCallTests : SimulatorTest
{
    [Test]
    public async Task A_waybill_can_be_cancelled_again_and_again_until_it_is_picked_up_and_the_ledger_shows_its_state()
    {
        var cancellable = await NewWaybillAsync();
        await Simulator.SetAsync("logistics", new { pickupDelayMs = 0 });
        var pickedUp = await NewWaybillAsync();

        using var first = await Http.PostAsync($"/logistics/waybills/{cancellable.Id}/cancellation", null);
        using var second = await Http.PostAsync($"/logistics/waybills/{cancellable.Id}/cancellation", null);
        using var refused = await Http.PostAsync($"/logistics/waybills/{pickedUp.Id}/cancellation", null);
        using var unknown = await Http.PostAsync($"/logistics/waybills/{Guid.NewGuid()}/cancellation", null);

        Assert.That((first.StatusCode, second.StatusCode, refused.StatusCode, unknown.StatusCode),
            Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.NotFound)));
        Assert.That(await first.Content.ReadAsStringAsync(), Is.EqualTo(await second.Content.ReadAsStringAsync()));
        var state = JsonNode.Parse(await Http.GetStringAsync($"/logistics/waybills/{pickedUp.Id}"))!;
        Assert.That(state["status"]!.GetValue<string>(), Is.EqualTo("PickedUp"));
        var ledger = await Simulator.LedgerAsync("logistics", cancellable.OrderId);
        Assert.That(ledger.Single().GetProperty("status").GetString(), Is.EqualTo("Cancelled"));
        Assert.That((await Simulator.SetAsync("sms", new { pickupDelayMs = 1 }).ContinueWith(t => t.IsFaulted)), Is.True,
            "pickupDelayMs is the logistics party's only");
    }

    private static async Task<(Guid Id, Guid OrderId)> NewWaybillAsync()
    {
        var orderId = Guid.NewGuid();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/logistics/waybills")
        {
            Content = JsonContent.Create(new { orderId }),
        };
        request.Headers.Add("Idempotency-Key", $"waybill:{orderId}");
        using var response = await Http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync())!["waybillId"]!.GetValue<Guid>(), orderId);
    }

    [Test]
    public async Task A_repeated_key_answers_the_same_body_marked_replayed_and_is_done_once()
    {
        var orderId = Guid.NewGuid();
        var key = "sms-" + orderId;

        using var first = await SendSmsAsync(key, orderId);
        using var second = await SendSmsAsync(key, orderId);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await first.Content.ReadAsStringAsync();
        Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo(body));
        Assert.That(first.Headers.Contains("Idempotent-Replayed"), Is.False);
        Assert.That(second.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        var ledger = await Simulator.LedgerAsync("sms", orderId);
        Assert.That(ledger, Has.Count.EqualTo(1));
        Assert.That(ledger[0].GetProperty("key").GetString(), Is.EqualTo(key));
        Assert.That(ledger[0].GetProperty("smsId").GetGuid(), Is.EqualTo(JsonDocument.Parse(body).RootElement.GetProperty("smsId").GetGuid()));
    }

    [Test]
    public async Task A_repeated_key_with_another_body_is_a_409_problem_and_does_nothing()
    {
        var orderId = Guid.NewGuid();
        var key = "sms-" + orderId;
        using var first = await SendSmsAsync(key, orderId);

        using var other = await SendSmsAsync(key, orderId, text: "another text");

        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(other.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await Simulator.LedgerAsync("sms", orderId), Has.Count.EqualTo(1));
    }

    [TestCase(null, """{"orderId":"9b2d1f4e-0000-4000-8000-000000000001","userId":"u-1","text":"hi"}""")]
    [TestCase("", """{"orderId":"9b2d1f4e-0000-4000-8000-000000000001","userId":"u-1","text":"hi"}""")]
    [TestCase("k", """{"orderId":"not-a-guid","userId":"u-1","text":"hi"}""")]
    [TestCase("k", """{"userId":"u-1","text":"hi"}""")]
    [TestCase("k", """{"orderId":"9b2d1f4e-0000-4000-8000-000000000001","userId":7,"text":"hi"}""")]
    [TestCase("k", """{"orderId":"9b2d1f4e-0000-4000-8000-000000000001","userId":"u-1","text":""}""")]
    [TestCase("k", """{"orderId":"9b2d1f4e-""")]
    public async Task A_bad_sms_request_is_a_400_problem(string? key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sms/messages")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        using var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Twenty_concurrent_calls_with_one_key_make_one_waybill()
    {
        // A small delay, so the twenty calls are in the simulator at the same time.
        await Simulator.SetAsync("logistics", new { delayMs = 100 });
        var orderId = Guid.NewGuid();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => CreateWaybillAsync(Http, "one-key-" + orderId, orderId)));

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(bodies.Distinct().Count(), Is.EqualTo(1));
        Assert.That(responses.Count(r => r.Headers.Contains("Idempotent-Replayed")), Is.EqualTo(19));
        Assert.That(await Simulator.LedgerAsync("logistics", orderId), Has.Count.EqualTo(1));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task A_call_the_caller_gave_up_on_is_still_done_and_its_retry_gets_the_same_waybill()
    {
        await Simulator.SetAsync("logistics", new { delayMs = 1500 });
        var orderId = Guid.NewGuid();
        var key = "late-" + orderId;
        using var impatient = new HttpClient { BaseAddress = Simulator.BaseUrl, Timeout = TimeSpan.FromMilliseconds(300) };

        Assert.ThrowsAsync<TaskCanceledException>(() => CreateWaybillAsync(impatient, key, orderId));

        // The provider finishes after our timeout: the waybill exists although nobody got the answer.
        var done = await Eventually.Until(() => Simulator.LedgerAsync("logistics", orderId), l => l.Count > 0,
            TimeSpan.FromSeconds(10), "the abandoned waybill in the ledger");
        await Simulator.SetAsync("logistics", new { delayMs = 0 });
        using var retry = await CreateWaybillAsync(Http, key, orderId);
        var answer = JsonDocument.Parse(await retry.Content.ReadAsStringAsync()).RootElement;
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(retry.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        Assert.That(answer.GetProperty("waybillId").GetGuid(), Is.EqualTo(done[0].GetProperty("waybillId").GetGuid()));
        Assert.That(answer.GetProperty("trackingNumber").GetString(), Does.StartWith("TRK"));
        Assert.That(await Simulator.LedgerAsync("logistics", orderId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_simulator_keeps_only_each_partys_most_recent_calls_and_does_a_forgotten_key_again()
    {
        var port = LocalPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        // No faults: the configured defaults fail 2% of SMS and logistics calls (with a 503 before the key is looked up), and
        // delay them, so each of this test's eight calls could fail it.
        await Servers.RunAsync(["start"], "simulator.sh", ("ORDERSYSTEM_SIMULATOR_PORT", port), ("RetainedCallsPerParty", "2"),
            ("Parties__Sms__FailureProbability", "0"), ("Parties__Sms__DelayMs", "0"), ("Parties__Sms__SpikeProbability", "0"),
            ("Parties__Logistics__FailureProbability", "0"), ("Parties__Logistics__DelayMs", "0"), ("Parties__Logistics__SpikeProbability", "0"));
        try
        {
            using var own = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            Guid[] orders = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
            var waybills = new List<Guid>();
            foreach (var order in orders)
            {
                (await SendSmsAsync($"sms:{order}", order, client: own)).Dispose();
                using var waybill = await CreateWaybillAsync(own, $"waybill:{order}", order);
                waybills.Add(JsonNode.Parse(await waybill.Content.ReadAsStringAsync())!["waybillId"]!.GetValue<Guid>());
            }

            var ledger = await own.GetFromJsonAsync<JsonElement[]>("/ledger/sms");
            Assert.That(ledger!.Select(e => e.GetProperty("orderId").GetGuid()), Is.EqualTo(orders[1..]));
            using var forgotten = await own.GetAsync($"/logistics/waybills/{waybills[0]}");
            using var cancelForgotten = await own.PostAsync($"/logistics/waybills/{waybills[0]}/cancellation", null);
            using var kept = await own.GetAsync($"/logistics/waybills/{waybills[2]}");
            Assert.That((forgotten.StatusCode, cancelForgotten.StatusCode, kept.StatusCode),
                Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.OK)));

            using var doneAgain = await SendSmsAsync($"sms:{orders[0]}", orders[0], client: own);
            using var replayed = await SendSmsAsync($"sms:{orders[2]}", orders[2], client: own);
            Assert.That((doneAgain.Headers.Contains("Idempotent-Replayed"), replayed.Headers.Contains("Idempotent-Replayed")),
                Is.EqualTo((false, true)));
            ledger = await own.GetFromJsonAsync<JsonElement[]>("/ledger/sms");
            Assert.That(ledger!.Select(e => e.GetProperty("orderId").GetGuid()), Is.EqualTo(new[] { orders[2], orders[0] }));
        }
        finally
        {
            await Servers.RunAsync(["stop"], "simulator.sh", ("ORDERSYSTEM_SIMULATOR_PORT", port));
        }
    }
}
