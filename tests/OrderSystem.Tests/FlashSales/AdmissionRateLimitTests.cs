using System.Net;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.FlashSales;

/// <summary>
/// The admission limiter sheds what is over FlashSales:AdmissionsPerSecond with 429 and Retry-After, in a system of its own
/// (a low limit), while the console's sign-in limit in the same host keeps its own answer: one limiter, two policies.
/// </summary>
public sealed class AdmissionRateLimitTests
{
    private TestSystem _system = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _system = await FlashSaleApi.StartSystemWithEmptyStoreAsync("flashlimit", new Dictionary<string, string> { ["FlashSales:AdmissionsPerSecond"] = "10" });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _system.DisposeAsync();

    [Test]
    [Order(1)] // first, while the bucket is full: the other test empties it
    public async Task Requests_over_the_admission_rate_get_429_with_Retry_After_and_the_console_keeps_its_own_limit()
    {
        var sku = SystemTest.Fresh("SKU");
        await _system.Api.PutProductAsync(sku, 1.00m, 1000);
        Assert.That((await _system.Api.DefineAsync("shed", sku, units: 1000)).Status, Is.EqualTo(HttpStatusCode.OK));

        var replies = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() => _system.Api.RequestAsync("shed", $"b-{i}"))));
        var logins = new List<HttpResponseMessage>();
        for (var i = 0; i < 7; i++)
        {
            logins.Add(await _system.Api.Http.PostAsync("/ops/login", new FormUrlEncodedContent([new("password", "wrong")])));
        }

        var shed = replies.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        // A second's worth (the full bucket) and what refilled meanwhile, no more.
        Assert.That(replies.Count(r => r.Status == HttpStatusCode.Accepted), Is.InRange(1, 20));
        Assert.That(replies.Count(r => r.Status is not (HttpStatusCode.Accepted or HttpStatusCode.TooManyRequests)), Is.Zero,
            string.Join("; ", replies.Where(r => r.Status is not (HttpStatusCode.Accepted or HttpStatusCode.TooManyRequests))));
        Assert.That(shed, Is.Not.Empty);
        Assert.That(shed.Select(r => (r.MediaType, r.Json["type"]!.GetValue<string>())),
            Is.All.EqualTo(("application/problem+json", "https://ordersystem.dev/problems/too-many-requests")));
        // A shed request gets the whole problem+json every other answer has.
        Assert.That(shed.Select(r => (r.Json["title"]!.GetValue<string>(), r.Json["status"]!.GetValue<int>(), r.Json["detail"] is not null)),
            Is.All.EqualTo(("Too many requests.", 429, true)));
        Assert.That(shed.Select(r => r.Json["traceId"]?.GetValue<string>()), Is.All.Not.Null.And.All.Not.Empty);
        Assert.That(shed.Select(r => r.Json["traceId"]!.GetValue<string>()), Is.Unique);
        var login = logins.Last();
        Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the console's sign-in limit still applies");
        Assert.That(await login.Content.ReadAsStringAsync(), Does.Contain("too-many-sign-ins"), "with the console's own answer");
        Assert.That(login.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(60)));
        await _system.Api.WaitUntilWrittenAsync("shed", [.. replies.Where(r => r.Status == HttpStatusCode.Accepted).Select(FlashSaleApi.TicketOf)]);
    }

    [Test]
    [Order(2)]
    public async Task A_shed_request_says_when_to_come_back()
    {
        HttpResponseMessage? shed = null;
        for (var i = 0; i < 200 && shed is null; i++)
        {
            var response = await _system.Api.Http.PostAsync("/api/flash-sales/none/orders",
                new StringContent("""{"userId":"u","quantity":1}""", System.Text.Encoding.UTF8, "application/json"));
            shed = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }
        Assert.That(shed, Is.Not.Null, "200 requests in a row are over 10 per second");
        Assert.That(shed!.Headers.RetryAfter?.Delta, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(shed.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    [Order(3)]
    public async Task The_limit_holds_for_every_spelling_routing_accepts()
    {
        // Every path routing matches (any case, a trailing slash) is the limited endpoint: none slips past the limit.
        string[] spellings = ["/api/flash-sales/none/orders", "/API/Flash-Sales/none/ORDERS", "/api/flash-sales/none/orders/"];
        var replies = await Task.WhenAll(Enumerable.Range(0, 90).Select(i => Task.Run(async () =>
        {
            using var response = await _system.Api.Http.PostAsync(spellings[i % 3],
                new StringContent("""{"userId":"u","quantity":1}""", System.Text.Encoding.UTF8, "application/json"));
            return (Spelling: spellings[i % 3], response.StatusCode);
        })));
        Assert.That(spellings.Select(p => replies.Any(r => r.Spelling == p && r.StatusCode == HttpStatusCode.TooManyRequests)), Is.All.True,
            string.Join(", ", replies));
        var statuses = replies.Select(r => r.StatusCode).ToList();
        Assert.That(statuses.Where(s => s != HttpStatusCode.TooManyRequests), Is.All.EqualTo(HttpStatusCode.NotFound), "an unknown sale, past the limit");
    }
}
