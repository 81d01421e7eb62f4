using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.ThirdParties;

/// <summary>The simulator's control API (settings per party, defaults, bad changes) and its status probes.</summary>
public sealed class SimulatorControlTests : SimulatorTest
{
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
}
