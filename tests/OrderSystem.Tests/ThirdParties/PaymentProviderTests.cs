using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.ThirdParties;

/// <summary>
/// The simulated payment provider's refunds, against the real simulator process: idempotent by refund id, asynchronous
/// (PROCESSING, then SUCCESS, CLOSED or ABNORMAL), told by query and by signed webhook, and a ledger of what it did.
/// </summary>
public sealed partial class PaymentProviderTests : SimulatorTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_refund_is_processing_then_succeeds_by_query_after_its_processing_time()
    {
        await Simulator.SetAsync("payments", new { refundProcessingMs = 1000 });
        var refund = NewRefund();

        using var taken = await RequestRefundAsync(refund);

        Assert.That(taken.StatusCode, Is.EqualTo(HttpStatusCode.OK), await taken.Content.ReadAsStringAsync());
        var answer = await taken.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(answer.GetProperty("refundId").GetGuid(), Is.EqualTo(refund.RefundId));
        Assert.That(answer.GetProperty("paymentId").GetString(), Is.EqualTo(refund.PaymentId));
        Assert.That(answer.GetProperty("orderId").GetGuid(), Is.EqualTo(refund.OrderId));
        Assert.That(answer.GetProperty("amount").GetDecimal(), Is.EqualTo(refund.Amount));
        Assert.That(answer.GetProperty("status").GetString(), Is.EqualTo("PROCESSING"));
        Assert.That((await QueryAsync(refund.RefundId)).GetProperty("status").GetString(), Is.EqualTo("PROCESSING"));
        var ended = await Eventually.Until(() => QueryAsync(refund.RefundId), r => r.GetProperty("status").GetString() != "PROCESSING",
            Patience, "the refund to end");
        Assert.That(ended.GetProperty("status").GetString(), Is.EqualTo("SUCCESS"));
        var createdAt = ended.GetProperty("createdAt").GetDateTimeOffset();
        Assert.That(ended.GetProperty("completedAt").GetDateTimeOffset(), Is.GreaterThanOrEqualTo(createdAt.AddMilliseconds(1000)));
    }

    [TestCase("refundClosedProbability", "CLOSED")]
    [TestCase("refundAbnormalProbability", "ABNORMAL")]
    public async Task The_outcome_shares_decide_how_a_refund_ends(string share, string status)
    {
        await Simulator.SetAsync("payments", new JsonObject { [share] = 1.0 });
        var refund = NewRefund();

        using var taken = await RequestRefundAsync(refund);

        Assert.That(taken.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var ended = await Eventually.Until(() => QueryAsync(refund.RefundId), r => r.GetProperty("status").GetString() != "PROCESSING",
            Patience, "the refund to end");
        Assert.That(ended.GetProperty("status").GetString(), Is.EqualTo(status));
        Assert.That((await Simulator.RefundLedgerAsync(refund.PaymentId)).Single().GetProperty("status").GetString(), Is.EqualTo(status));
    }

    [Test]
    public async Task Twenty_concurrent_requests_with_one_refund_id_make_one_refund()
    {
        // A small delay, so the twenty calls are in the simulator at the same time.
        await Simulator.SetAsync("payments", new { delayMs = 100, refundProcessingMs = 5000 });
        var refund = NewRefund();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RequestRefundAsync(refund)));

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(bodies.Distinct().Count(), Is.EqualTo(1));
        Assert.That(responses.Count(r => r.Headers.Contains("Idempotent-Replayed")), Is.EqualTo(19));
        var ledger = await Simulator.RefundLedgerAsync(refund.PaymentId);
        Assert.That(ledger, Has.Count.EqualTo(1));
        Assert.That(ledger[0].GetProperty("refundId").GetGuid(), Is.EqualTo(refund.RefundId));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task A_refund_replayed_after_it_ended_answers_its_current_state_and_refunds_nothing_more()
    {
        var refund = NewRefund();
        using var first = await RequestRefundAsync(refund);
        await Eventually.Until(() => QueryAsync(refund.RefundId), r => r.GetProperty("status").GetString() == "SUCCESS",
            Patience, "the refund to succeed");

        using var replay = await RequestRefundAsync(refund);

        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(replay.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        Assert.That((await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString(), Is.EqualTo("SUCCESS"));
        Assert.That(await Simulator.RefundLedgerAsync(refund.PaymentId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task The_same_refund_id_with_another_body_is_a_409_problem_and_changes_nothing()
    {
        var refund = NewRefund();
        using var first = await RequestRefundAsync(refund);

        using var other = await RequestRefundAsync(refund with { Amount = refund.Amount + 1 });

        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(other.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var ledger = await Simulator.RefundLedgerAsync(refund.PaymentId);
        Assert.That(ledger, Has.Count.EqualTo(1));
        Assert.That(ledger[0].GetProperty("amount").GetDecimal(), Is.EqualTo(refund.Amount));
    }

    [Test]
    public async Task A_lost_answer_is_a_503_but_the_refund_is_recorded_once_and_found_by_query()
    {
        await Simulator.SetAsync("payments", new { lostAnswerProbability = 1 });
        var refund = NewRefund();

        using var lost = await RequestRefundAsync(refund);

        Assert.That(lost.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(lost.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await QueryAsync(refund.RefundId)).GetProperty("refundId").GetGuid(), Is.EqualTo(refund.RefundId));
        Assert.That(await Simulator.RefundLedgerAsync(refund.PaymentId), Has.Count.EqualTo(1));
        await Simulator.SetAsync("payments", new { lostAnswerProbability = 0 });
        using var retried = await RequestRefundAsync(refund);
        Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(retried.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        Assert.That(await Simulator.RefundLedgerAsync(refund.PaymentId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_failing_or_refusing_provider_answers_503_or_422_and_records_nothing()
    {
        var refund = NewRefund();
        await Simulator.SetAsync("payments", new { failureProbability = 1 });
        using var failed = await RequestRefundAsync(refund);
        using var failedQuery = await Http.GetAsync($"/payments/refunds/{refund.RefundId}");
        await Simulator.SetAsync("payments", new { failureProbability = 0, rejectProbability = 1 });
        using var refused = await RequestRefundAsync(refund);

        Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(failedQuery.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(refused.StatusCode, Is.EqualTo((HttpStatusCode)422));
        Assert.That(await Simulator.RefundLedgerAsync(refund.PaymentId), Is.Empty);
        using var unknown = await Http.GetAsync($"/payments/refunds/{refund.RefundId}");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_provider_that_is_down_drops_refund_calls_and_queries_and_records_nothing()
    {
        await Simulator.SetAsync("payments", new { down = true });
        var refund = NewRefund();

        Assert.ThrowsAsync<HttpRequestException>(() => RequestRefundAsync(refund));
        Assert.ThrowsAsync<HttpRequestException>(() => Http.GetAsync($"/payments/refunds/{refund.RefundId}"));

        Assert.That(await Simulator.RefundLedgerAsync(refund.PaymentId), Is.Empty);
    }

    [Test]
    public async Task A_provider_that_hangs_never_answers_a_refund_until_the_caller_times_out()
    {
        await Simulator.SetAsync("payments", new { hang = true });
        var refund = NewRefund();
        using var patient = new HttpClient { BaseAddress = Simulator.BaseUrl, Timeout = TimeSpan.FromMilliseconds(500) };

        Assert.ThrowsAsync<TaskCanceledException>(() => RequestRefundAsync(refund, client: patient));

        Assert.That(await Simulator.RefundLedgerAsync(refund.PaymentId), Is.Empty);
    }

    [Test]
    public async Task An_unknown_refund_is_a_404_problem()
    {
        using var unknown = await Http.GetAsync($"/payments/refunds/{Guid.NewGuid()}");
        using var notAnId = await Http.GetAsync("/payments/refunds/not-an-id");

        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(unknown.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(notAnId.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_ledger_lists_refunds_in_order_of_creation_by_payment_by_refund_id_and_all()
    {
        var first = NewRefund();
        var second = NewRefund() with { PaymentId = first.PaymentId };
        var elsewhere = NewRefund();
        foreach (var refund in new[] { first, second, elsewhere })
        {
            using var taken = await RequestRefundAsync(refund);
            Assert.That(taken.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var byPayment = await Simulator.RefundLedgerAsync(first.PaymentId);
        var byId = await Http.GetFromJsonAsync<JsonElement[]>($"/ledger/refunds?refundId={second.RefundId}");
        var all = await Http.GetFromJsonAsync<JsonElement[]>("/ledger/refunds");

        Assert.That(byPayment.Select(r => r.GetProperty("refundId").GetGuid()), Is.EqualTo(new[] { first.RefundId, second.RefundId }));
        Assert.That(byId!.Select(r => r.GetProperty("refundId").GetGuid()), Is.EqualTo(new[] { second.RefundId }));
        var ours = all!.Select(r => r.GetProperty("refundId").GetGuid()).Where(new[] { first.RefundId, second.RefundId, elsewhere.RefundId }.Contains);
        Assert.That(ours, Is.EqualTo(new[] { first.RefundId, second.RefundId, elsewhere.RefundId }));
        Assert.That(byPayment[0].EnumerateObject().Select(p => p.Name),
            Is.EqualTo(new[] { "refundId", "paymentId", "orderId", "amount", "status", "createdAt", "completedAt" }));
        using var payments = await Http.GetAsync("/ledger/payments");
        Assert.That(payments.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the refunds are at /ledger/refunds");
    }

    [TestCase(null, """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}","amount":10}""")]
    [TestCase("{other}", """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}","amount":10}""")]
    [TestCase("{id}", """{"refundId":"00000000-0000-0000-0000-000000000000","paymentId":"p-1","orderId":"{order}","amount":10}""")]
    [TestCase("{id}", """{"paymentId":"p-1","orderId":"{order}","amount":10}""")]
    [TestCase("{id}", """{"refundId":"{id}","orderId":"{order}","amount":10}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"","orderId":"{order}","amount":10}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"{long}","orderId":"{order}","amount":10}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":7,"orderId":"{order}","amount":10}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","amount":10}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","orderId":"not-a-guid","amount":10}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}"}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}","amount":0}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}","amount":-5}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}","amount":10.005}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}","amount":"10.00"}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}","amount":10,"notifyUrl":"/relative"}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}","amount":10,"notifyUrl":"ftp://x.test/h"}""")]
    [TestCase("{id}", """{"refundId":"{id}","paymentId":"p-1","orderId":"{order}","amount":10""")]
    [TestCase("{id}", "")]
    public async Task A_bad_refund_request_is_a_400_problem_and_records_nothing(string? key, string body)
    {
        var id = Guid.NewGuid();
        string Fill(string s) => s.Replace("{id}", id.ToString()).Replace("{order}", Guid.NewGuid().ToString())
            .Replace("{other}", Guid.NewGuid().ToString()).Replace("{long}", new string('p', 65));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments/refunds")
        {
            Content = new StringContent(Fill(body), Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", Fill(key));
        }

        using var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await Http.GetFromJsonAsync<JsonElement[]>($"/ledger/refunds?refundId={id}"), Is.Empty);
    }

    [Test]
    public async Task Control_shows_the_refund_settings_of_payments_only_and_delete_restores_them()
    {
        var changed = await Simulator.SetAsync("payments", new
        {
            lostAnswerProbability = 0.1, refundProcessingMs = 1234, refundClosedProbability = 0.2, refundAbnormalProbability = 0.3,
            webhookRetries = 7, webhookDuplicateProbability = 0.4, webhookDropProbability = 0.5,
        });
        using var reset = await Http.DeleteAsync("/control/payments");
        var defaults = JsonNode.Parse(await reset.Content.ReadAsStringAsync())!;
        var sms = JsonNode.Parse(await Http.GetStringAsync("/control/sms"))!;

        Assert.That(changed.Select(p => p.Key), Is.EqualTo(new[]
        {
            "delayMs", "spikeProbability", "spikeMs", "failureProbability", "down", "hang", "rejectProbability", "rejectNext",
            "lostAnswerProbability", "refundProcessingMs", "refundClosedProbability", "refundAbnormalProbability",
            "webhookRetries", "webhookDuplicateProbability", "webhookDropProbability",
        }));
        Assert.That(changed["refundProcessingMs"]!.GetValue<int>(), Is.EqualTo(1234));
        Assert.That(changed["webhookRetries"]!.GetValue<int>(), Is.EqualTo(7));
        Assert.That(defaults["refundProcessingMs"]!.GetValue<int>(), Is.EqualTo(300));
        Assert.That(defaults["webhookRetries"]!.GetValue<int>(), Is.EqualTo(5));
        foreach (var share in new[] { "lostAnswerProbability", "refundClosedProbability", "refundAbnormalProbability",
            "webhookDuplicateProbability", "webhookDropProbability" })
        {
            Assert.That(defaults[share]!.GetValue<double>(), Is.Zero, share);
        }
        Assert.That(sms.AsObject().Select(p => p.Key), Has.None.StartsWith("refund").And.None.StartsWith("webhook"));
    }

    [TestCase("payments", """{"lostAnswerProbability":1.5}""")]
    [TestCase("payments", """{"refundProcessingMs":-1}""")]
    [TestCase("payments", """{"refundProcessingMs":600001}""")]
    [TestCase("payments", """{"refundClosedProbability":-0.1}""")]
    [TestCase("payments", """{"refundAbnormalProbability":"0.5"}""")]
    [TestCase("payments", """{"refundClosedProbability":0.6,"refundAbnormalProbability":0.6}""")]
    [TestCase("payments", """{"webhookRetries":21}""")]
    [TestCase("payments", """{"webhookRetries":2.5}""")]
    [TestCase("payments", """{"webhookDuplicateProbability":null}""")]
    [TestCase("payments", """{"webhookDropProbability":2}""")]
    [TestCase("sms", """{"refundProcessingMs":100}""")]
    [TestCase("logistics", """{"lostAnswerProbability":0}""")]
    [TestCase("logistics", """{"webhookRetries":3}""")]
    public async Task A_bad_refund_settings_change_is_a_400_problem_and_changes_nothing(string party, string body)
    {
        var before = await Http.GetStringAsync($"/control/{party}");

        using var response = await Http.PutAsync($"/control/{party}", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await Http.GetStringAsync($"/control/{party}"), Is.EqualTo(before));
    }

    private sealed record RefundRequest(Guid RefundId, string PaymentId, Guid OrderId, decimal Amount, string? NotifyUrl = null);

    private static RefundRequest NewRefund() => new(Guid.NewGuid(), "pay-" + Guid.NewGuid().ToString("N"), Guid.NewGuid(), 12.34m);

    private static async Task<HttpResponseMessage> RequestRefundAsync(RefundRequest refund, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments/refunds")
        {
            Content = JsonContent.Create(new { refund.RefundId, refund.PaymentId, refund.OrderId, refund.Amount, refund.NotifyUrl }),
        };
        request.Headers.Add("Idempotency-Key", refund.RefundId.ToString());
        return await (client ?? Http).SendAsync(request);
    }

    private static async Task<JsonElement> QueryAsync(Guid refundId) =>
        await Http.GetFromJsonAsync<JsonElement>($"/payments/refunds/{refundId}");

    private static Task<IReadOnlyList<WebhookReceiver.Delivery>> DeliveriesAsync(WebhookReceiver receiver, int count) =>
        Eventually.Until(() => Task.FromResult(receiver.Deliveries), d => d.Count >= count, Patience, $"{count} webhook deliveries");
}
