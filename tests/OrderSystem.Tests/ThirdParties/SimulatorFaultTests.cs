using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.ThirdParties;

/// <summary>The faults a party can be set to: down, hanging, failing, refusing, refusing the next calls.</summary>
public sealed class SimulatorFaultTests : SimulatorTest
{
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
}
