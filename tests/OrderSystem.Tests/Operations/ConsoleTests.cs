using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using OrderSystem.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrderSystem.Tests.Operations;

/// <summary>
/// The operator console at /ops in a real browser: Debian's headless chromium driven by Playwright, against a system of
/// its own served by Kestrel on a free port. Every wait is one of Playwright's polling expectations or Eventually.
/// </summary>
[NonParallelizable]
public sealed partial class ConsoleTests
{
    private const string Password = "console-test-password";
    private const string Operator = "test-operator";
    private const string TraceUi = "http://traces.test/trace/{traceId}";

    private TestSystem _system = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IBrowserContext _signedIn = null!;

    private Api Api => _system.Api;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await HeadlessChromium.LaunchAsync(_playwright);
        _system = await TestSystem.StartAsync("console", kestrel: true, settings: new Dictionary<string, string>
        {
            ["Ops:Password"] = Password,
            ["Ops:LoginAttemptsPerMinute"] = "5",
            ["Ops:SampleIntervalMs"] = "300",
            ["Observability:TraceUiUrl"] = TraceUi,
        });
        SetDefaultExpectTimeout(15_000);
        // One sign-in for the whole fixture: the login limit counts every POST, and the brute-force test needs the rest.
        _signedIn = await NewContextAsync();
        var page = await _signedIn.NewPageAsync();
        await page.GotoAsync("/ops/login");
        await page.FillAsync("input[name=Operator]", Operator);
        await page.FillAsync("input[name=Password]", Password);
        await page.ClickAsync("#login button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex("/ops$"));
        await page.CloseAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }

    [SetUp]
    public Task ResetDatabaseAsync() => _system.ResetAsync();

    [Test]
    public async Task Signed_out_every_console_page_redirects_to_the_login_page()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        foreach (var path in new[] { "/ops", "/ops/orders", "/ops/failures", "/ops/audit", "/ops/confirm?action=retry-module&target=order" })
        {
            await page.GotoAsync(path);
            await Expect(page).ToHaveURLAsync(new Regex("/ops/login\\?ReturnUrl="));
            await Expect(page.Locator("#login")).ToBeVisibleAsync();
        }
        // The overview's JSON is an API endpoint: ASP.NET Core's cookie handler answers it 401 instead of redirecting.
        var overview = await Api.GetAsync("/ops/api/overview");
        Assert.That(overview.Status, Is.EqualTo(HttpStatusCode.Unauthorized), overview.ToString());
        Assert.That((await Api.GetAsync("/ops/assets/ops.css")).Status, Is.EqualTo(HttpStatusCode.OK), "the login page's style is public");
    }

    [Test]
    public async Task A_wrong_password_is_rejected_and_a_burst_of_tries_is_limited()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var statuses = new List<int>();
        // 5 POSTs per minute per address are allowed, the fixture's sign-in among them when it was in this window; a window
        // that ends midway allows 5 more. Two tries after the first refusal show that it stays refused.
        for (var attempt = 0; attempt < 12 && statuses.Count(s => s == 429) < 2; attempt++)
        {
            await page.GotoAsync("/ops/login");
            await page.FillAsync("input[name=Operator]", "mallory");
            await page.FillAsync("input[name=Password]", "guess-" + attempt);
            var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#login button[type=submit]"),
                r => r.Url.Contains("/ops/login", StringComparison.Ordinal) && r.Request.Method == "POST");
            statuses.Add(response.Status);
            if (response.Status == 200)
            {
                await Expect(page.Locator("#login-problem")).ToHaveTextAsync("Wrong password.");
                await Expect(page).ToHaveURLAsync(new Regex("/ops/login"));
            }
            else
            {
                Assert.That(await response.HeaderValueAsync("content-type"), Does.StartWith("application/problem+json"));
            }
        }
        var answered = statuses.TakeWhile(s => s == 200).Count();
        Assert.That(statuses[0], Is.EqualTo(200), "the first wrong password is answered as such");
        Assert.That(answered, Is.InRange(1, 10), $"at most two windows' worth of tries are answered: {string.Join(", ", statuses)}");
        Assert.That(statuses.Skip(answered), Is.EqualTo(new[] { 429, 429 }), "refused, and still refused");
        await page.GotoAsync("/ops");
        await Expect(page).ToHaveURLAsync(new Regex("/ops/login"), new() { Timeout = 5000 });
    }

    [Test]
    public async Task A_post_without_an_anti_forgery_token_is_refused()
    {
        var order = await NewOrderAsync(Fresh("user"), await NewProductAsync());

        var forged = await _signedIn.APIRequest.PostAsync(_system.BaseAddress + "ops/confirm", new()
        {
            Form = ToForm(new Dictionary<string, string>
            {
                ["action"] = "close-order", ["target"] = order.OrderId, ["ActionId"] = Guid.NewGuid().ToString(), ["note"] = "forged",
            }),
            MaxRedirects = 0,
        });

        Assert.That(forged.Status, Is.EqualTo(400));
        Assert.That(await StatusAsync(order.OrderId), Is.EqualTo("Created"));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM operations_audit_log"), Is.Zero);
    }

    [Test]
    public async Task Bad_input_to_the_console_is_answered_4xx_and_never_500()
    {
        var page = await _signedIn.NewPageAsync();
        var longText = new string('x', 5000);
        foreach (var path in new[]
        {
            "/ops/orders/not-a-guid", "/ops/orders?q=" + longText, "/ops/orders?q=%00%27%22", "/ops/confirm?action=nope&target=x",
            "/ops/confirm?action=close-order&target=" + longText, "/ops/assets/..%2F..%2Fappsettings.json", "/ops/assets/nothing.js",
            "/ops/audit?action=not-a-guid", "/ops/orders/" + Guid.NewGuid(),
        })
        {
            var response = await page.APIRequest.GetAsync(path, new() { MaxRedirects = 0 });
            Assert.That(response.Status, Is.LessThan(500), path);
        }
        // A hand-made POST with a valid anti-forgery token: an unknown action, then a note longer than the form allows.
        var order = await NewOrderAsync(Fresh("user"), await NewProductAsync());
        await page.GotoAsync($"/ops/confirm?action=close-order&target={order.OrderId}");
        var form = await FormValuesAsync(page);
        foreach (var (field, value) in new[] { ("action", "drop-database"), ("note", longText) })
        {
            var forged = new Dictionary<string, string>(form) { ["note"] = "why", [field] = value };
            var refused = await page.APIRequest.PostAsync("/ops/confirm", new() { Form = ToForm(forged), MaxRedirects = 0 });
            Assert.That(refused.Status, Is.EqualTo(400), field);
            Assert.That(refused.Headers["content-type"], Does.StartWith("application/problem+json"), field);
        }
        Assert.That(await StatusAsync(order.OrderId), Is.EqualTo("Created"));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM operations_audit_log"), Is.Zero);
        await page.CloseAsync();
    }

    /// <summary>Kept as a test artifact (.local/test-results/console/), for a reader who wants to see the console.</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(TestSettings.RepoRoot, ".local", "test-results", "console", name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, "The console's " + name + " page");
    }

    private Task<IBrowserContext> NewContextAsync() =>
        _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _system.BaseAddress!.ToString().TrimEnd('/') });

    private static async Task<Dictionary<string, string>> FormValuesAsync(IPage page) =>
        await page.Locator("#confirm").EvaluateAsync<Dictionary<string, string>>(
            "form => Object.fromEntries(new FormData(form).entries())");

    private IFormData ToForm(IReadOnlyDictionary<string, string> values)
    {
        var form = _signedIn.APIRequest.CreateFormData();
        foreach (var (name, value) in values)
        {
            form.Set(name, value);
        }
        return form;
    }

    private Task<Reply> RefundsAsync(string orderId, Func<string[], bool> done, string what) =>
        Eventually.Until(() => Api.GetAsync($"/api/orders/{orderId}"),
            r => done([.. r.Json["refunds"]!.AsArray().Select(x => x!["status"]!.GetValue<string>())]), TimeSpan.FromSeconds(30),
            $"order {orderId}: {what}");

    private async Task<string> StatusAsync(string orderId) =>
        (await Api.GetAsync($"/api/orders/{orderId}")).Json["status"]!.GetValue<string>();

    private async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var connection = await _system.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }

    private async Task ExecuteAsync(string sql, object args)
    {
        await using var connection = await _system.OpenAsync();
        await connection.ExecuteAsync(sql, args);
    }

    private static string Fresh(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private async Task<string> NewProductAsync(int available = 1000)
    {
        var sku = Fresh("SKU");
        var reply = await Api.PutProductAsync(sku, 9.99m, available);
        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.OK), reply.ToString());
        return sku;
    }

    private async Task<(string OrderId, decimal Total)> NewOrderAsync(string userId, string sku)
    {
        var reply = await Api.PlaceOrderAsync(userId, (sku, 1));
        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.Created), reply.ToString());
        return (reply.Json["orderId"]!.GetValue<string>(), reply.Json["totalAmount"]!.GetValue<decimal>());
    }
}
