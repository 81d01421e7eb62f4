using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.ThirdParties;

/// <summary>The simulated third parties as the host will meet them: a real process, faults set over HTTP, a ledger.</summary>
public sealed class SimulatorTests
{
    private static readonly HttpClient Http = new() { BaseAddress = Simulator.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeSetUp]
    public Task StartAsync() => Simulator.EnsureRunningAsync();

    [SetUp]
    public Task QuietBeforeAsync() => Simulator.QuietAsync();

    [TearDown]
    public Task QuietAfterAsync() => Simulator.QuietAsync();

    [Test]
    public async Task Control_answers_every_setting_and_a_partial_put_changes_only_the_fields_it_names()
    {
        await Simulator.SetAsync("logistics", new { delayMs = 250, spikeProbability = 0.5, spikeMs = 700 });

        var merged = await Simulator.SetAsync("logistics", new { failureProbability = 0.25, hang = false });

        var expected = new JsonObject
        {
            ["delayMs"] = 250, ["spikeProbability"] = 0.5, ["spikeMs"] = 700, ["failureProbability"] = 0.25,
            ["down"] = false, ["hang"] = false, ["rejectProbability"] = 0, ["rejectNext"] = 0, ["pickupDelayMs"] = 600_000,
        };
        Assert.That(JsonNode.DeepEquals(merged, expected), Is.True, merged.ToJsonString());
        Assert.That(JsonNode.DeepEquals(await GetSettingsAsync("logistics"), expected), Is.True);
    }

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
    public async Task Delete_puts_a_party_back_to_its_startup_defaults()
    {
        using var first = await Http.DeleteAsync("/control/sms");
        var defaults = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        await Simulator.SetAsync("sms", new { delayMs = 42, down = true });

        using var second = await Http.DeleteAsync("/control/sms");

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(await second.Content.ReadAsStringAsync()), defaults), Is.True);
        Assert.That(JsonNode.DeepEquals(await GetSettingsAsync("sms"), defaults), Is.True);
        Assert.That(defaults["down"]!.GetValue<bool>(), Is.False);
    }

    [TestCase("""{"delayMs":-1}""")]
    [TestCase("""{"delayMs":600001}""")]
    [TestCase("""{"spikeMs":-5}""")]
    [TestCase("""{"spikeMs":600001}""")]
    [TestCase("""{"delayMs":1.5}""")]
    [TestCase("""{"spikeProbability":1.01}""")]
    [TestCase("""{"failureProbability":-0.1}""")]
    [TestCase("""{"rejectProbability":2}""")]
    [TestCase("""{"rejectNext":-1}""")]
    [TestCase("""{"rejectNext":1001}""")]
    [TestCase("""{"rejectNext":1.5}""")]
    [TestCase("""{"delayMs":"100"}""")]
    [TestCase("""{"delayMs":null}""")]
    [TestCase("""{"down":"yes"}""")]
    [TestCase("""{"hang":1}""")]
    [TestCase("""{"failureProbability":true}""")]
    [TestCase("""{"delayMs":100,"colour":"red"}""")]
    [TestCase("""{"DelayMs":100}""")]
    [TestCase("""{"delayMs":100""")]
    [TestCase("""not json""")]
    [TestCase("""[{"delayMs":100}]""")]
    [TestCase("")]
    public async Task A_bad_settings_change_is_a_400_problem_and_changes_nothing(string body)
    {
        var before = await GetSettingsAsync("sms");

        using var response = await Http.PutAsync("/control/sms", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(JsonNode.DeepEquals(await GetSettingsAsync("sms"), before), Is.True);
    }

    [TestCase("GET", "/control/fax")]
    [TestCase("PUT", "/control/fax")]
    [TestCase("DELETE", "/control/fax")]
    [TestCase("GET", "/ledger/fax")]
    public async Task An_unknown_party_is_a_404_problem(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "PUT")
        {
            request.Content = JsonContent.Create(new { delayMs = 1 });
        }

        using var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
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
    public async Task A_party_that_is_down_drops_the_connection_at_once()
    {
        await Simulator.SetAsync("logistics", new { down = true });
        var orderId = Guid.NewGuid();
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAsync<HttpRequestException>(() => CreateWaybillAsync(Http, "down-" + orderId, orderId));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync("/logistics/status"));
        Assert.That(await Simulator.LedgerAsync("logistics", orderId), Is.Empty);
    }

    [Test]
    public async Task A_party_that_hangs_never_answers_until_the_caller_times_out()
    {
        await Simulator.SetAsync("sms", new { hang = true });
        var orderId = Guid.NewGuid();
        using var patient = new HttpClient { BaseAddress = Simulator.BaseUrl, Timeout = TimeSpan.FromMilliseconds(700) };
        var clock = Stopwatch.StartNew();

        var timeout = Assert.ThrowsAsync<TaskCanceledException>(() => SendSmsAsync("hang-" + orderId, orderId, client: patient));

        Assert.That(timeout.InnerException, Is.InstanceOf<TimeoutException>());
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(650)));
        Assert.That(await Simulator.LedgerAsync("sms", orderId), Is.Empty);
    }

    [Test]
    public async Task A_failing_party_answers_503_and_does_nothing_so_a_retry_does_it_once()
    {
        await Simulator.SetAsync("sms", new { failureProbability = 1 });
        var orderId = Guid.NewGuid();
        var key = "fail-" + orderId;

        using var failed = await SendSmsAsync(key, orderId);

        Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(failed.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await Simulator.LedgerAsync("sms", orderId), Is.Empty);
        await Simulator.SetAsync("sms", new { failureProbability = 0 });
        using var retried = await SendSmsAsync(key, orderId);
        Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(retried.Headers.Contains("Idempotent-Replayed"), Is.False);
        Assert.That(await Simulator.LedgerAsync("sms", orderId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_healthy_party_that_refuses_answers_422_and_does_nothing()
    {
        await Simulator.SetAsync("logistics", new { rejectProbability = 1 });
        var orderId = Guid.NewGuid();

        using var refused = await CreateWaybillAsync(Http, "refused-" + orderId, orderId);

        Assert.That(refused.StatusCode, Is.EqualTo((HttpStatusCode)422));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("the party refused this request"));
        Assert.That(await Simulator.LedgerAsync("logistics", orderId), Is.Empty);
        using var probe = await Http.GetAsync("/logistics/status");
        Assert.That(probe.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the status probe never refuses");
    }

    [Test]
    public async Task Reject_next_refuses_that_many_calls_and_then_the_party_does_the_work()
    {
        var orderId = Guid.NewGuid();
        var settings = await Simulator.SetAsync("sms", new { rejectNext = 2 });
        Assert.That(settings["rejectNext"]!.GetValue<int>(), Is.EqualTo(2));

        var statuses = new List<HttpStatusCode>();
        for (var call = 0; call < 3; call++)
        {
            using var response = await SendSmsAsync("reject-next-" + orderId, orderId);
            statuses.Add(response.StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(new[] { (HttpStatusCode)422, (HttpStatusCode)422, HttpStatusCode.OK }));
        Assert.That(await Simulator.LedgerAsync("sms", orderId), Has.Count.EqualTo(1));
        Assert.That((await GetSettingsAsync("sms"))!["rejectNext"]!.GetValue<int>(), Is.Zero, "every refusal was taken");
    }

    [TestCase("sms")]
    [TestCase("logistics")]
    [TestCase("payments")]
    public async Task The_status_probe_of_a_healthy_party_answers_up(string party)
    {
        var status = await Http.GetFromJsonAsync<JsonElement>($"/{party}/status");

        Assert.That(status.GetProperty("party").GetString(), Is.EqualTo(party));
        Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("up"));
    }

    [Test]
    public async Task The_status_probe_of_a_failing_party_answers_503()
    {
        await Simulator.SetAsync("payments", new { failureProbability = 1 });

        using var probe = await Http.GetAsync("/payments/status");

        Assert.That(probe.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [Test]
    public async Task A_simulator_keeps_only_each_partys_most_recent_calls_and_does_a_forgotten_key_again()
    {
        var port = LocalPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Servers.RunAsync(["start"], "simulator.sh", ("ORDERSYSTEM_SIMULATOR_PORT", port), ("RetainedCallsPerParty", "2"));
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

    private static async Task<JsonNode> GetSettingsAsync(string party) =>
        JsonNode.Parse(await Http.GetStringAsync($"/control/{party}"))!;

    private static Task<HttpResponseMessage> SendSmsAsync(string key, Guid orderId, string text = "Your order is paid.",
        HttpClient? client = null) =>
        PostAsync(client ?? Http, "/sms/messages", key, new { orderId, userId = "u-1", text });

    private static Task<HttpResponseMessage> CreateWaybillAsync(HttpClient client, string key, Guid orderId) =>
        PostAsync(client, "/logistics/waybills", key, new { orderId });

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }
}
