using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrderSystem.Operations.Console;
using OrderSystem.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrderSystem.Tests.Operations;

/// <summary>
/// Signing in to /ops through an external identity provider, composed as docs/operations-console.md says: a standard
/// OpenID Connect scheme signing in to the console's cookie, and the console's policy asking for the operators' group.
/// The provider is <see cref="MinimalOidcProvider"/>, over real HTTP on another site; the browser is the real headless
/// chromium (<see cref="HeadlessChromium"/>). A system of its own: its sign-in POSTs have a rate limit of their own.
/// </summary>
[NonParallelizable]
public sealed class ConsoleExternalSignInTests
{
    private const string Provider = "Corp";
    private const string OperatorsGroup = "ordersystem-operators";

    private static readonly ProviderUser CorporateOperator = new("corp-4711", "Erin External", OperatorsGroup);

    private MinimalOidcProvider _provider = null!;
    private TestSystem _system = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await HeadlessChromium.LaunchAsync(_playwright);
        _provider = await MinimalOidcProvider.StartAsync(CorporateOperator);
        _system = await TestSystem.StartAsync("console_oidc", kestrel: true, configureServices: AddCorporateSignIn);
        SetDefaultExpectTimeout(15_000);
    }

    // What the operations guide tells a deployment to add to the host's composition, with the provider's address.
    private void AddCorporateSignIn(IServiceCollection services)
    {
        services.AddAuthentication().AddOpenIdConnect(Provider, "Corp SSO", options =>
        {
            options.Authority = _provider.Authority;
            options.RequireHttpsMetadata = false; // the test's provider speaks plain HTTP; a real one is https
            options.ClientId = MinimalOidcProvider.ClientId;
            options.ClientSecret = MinimalOidcProvider.ClientSecret;
            options.ResponseType = "code";
            options.ResponseMode = "query";
            options.CallbackPath = "/ops/signin-corp";
            options.SignInScheme = OperationsConsole.Scheme;
            options.MapInboundClaims = false;
            options.TokenValidationParameters.NameClaimType = "name";
        });
        services.AddAuthorizationBuilder().AddPolicy(OperationsConsole.Policy, policy => policy
            .AddAuthenticationSchemes(OperationsConsole.Scheme).RequireAuthenticatedUser().RequireClaim("groups", OperatorsGroup));
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
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    [SetUp]
    public Task ResetAsync()
    {
        _provider.User = CorporateOperator;
        return _system.ResetAsync();
    }

    [Test]
    public async Task An_operator_signs_in_with_the_identity_provider_and_the_audit_log_records_their_name()
    {
        var order = await NewOrderAsync();
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/ops/orders/{order}");
        await Expect(page).ToHaveURLAsync(new Regex("/ops/login\\?ReturnUrl="));
        await page.ClickAsync($"#external-login button[data-provider={Provider}]");

        await Expect(page).ToHaveURLAsync(new Regex($"/ops/orders/{order}$"));
        await Expect(page.Locator("#operator")).ToHaveTextAsync(_provider.User.Name);
        Assert.That(_provider.TokensIssued, Is.EqualTo(1), "one code redeemed for one id_token");
        await page.ClickAsync("#close-order");
        await page.FillAsync("#confirm input[name=note]", "closed by the corporate operator");
        await page.ClickAsync("#confirm-button");

        var row = page.Locator("#audit tr.highlight");
        await Expect(row.Locator(".result")).ToHaveTextAsync("Done");
        await Expect(row).ToContainTextAsync(_provider.User.Name);
        var status = await _system.Api.GetAsync($"/api/orders/{order}");
        Assert.That(status.Json["status"]!.GetValue<string>(), Is.EqualTo("Cancelled"));
    }

    [Test]
    public async Task Someone_the_provider_knows_outside_the_operators_group_gets_no_console()
    {
        _provider.User = new ProviderUser("corp-0815", "Sam Sales", "sales");
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/ops/login");
        var issued = _provider.TokensIssued;

        await page.ClickAsync($"#external-login button[data-provider={Provider}]");

        await Expect(page).ToHaveURLAsync(new Regex("/ops/login\\?ReturnUrl="));
        Assert.That(_provider.TokensIssued, Is.EqualTo(issued + 1), "the provider did sign them in");
        var overview = await page.APIRequest.GetAsync("/ops/api/overview");
        Assert.That(overview.Status, Is.EqualTo((int)HttpStatusCode.Forbidden), "signed in, but not an operator");
        await Expect(page.Locator("#not-an-operator")).ToContainTextAsync("Sam Sales");
    }

    [Test]
    public async Task A_sign_in_with_a_provider_the_console_does_not_offer_is_a_400_problem()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/ops/login");
        var token = await page.Locator("#external-login input[name=__RequestVerificationToken]").InputValueAsync();
        var form = context.APIRequest.CreateFormData();
        form.Set("provider", "Cookies");
        form.Set("__RequestVerificationToken", token);

        var refused = await page.APIRequest.PostAsync("/ops/login?handler=External", new() { Form = form, MaxRedirects = 0 });

        Assert.That(refused.Status, Is.EqualTo(400));
        Assert.That(refused.Headers["content-type"], Does.StartWith("application/problem+json"));
    }

    private Task<IBrowserContext> NewContextAsync() =>
        _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _system.BaseAddress!.ToString().TrimEnd('/') });

    private async Task<string> NewOrderAsync()
    {
        var sku = $"SKU-{Guid.NewGuid():N}"[..17];
        Assert.That((await _system.Api.PutProductAsync(sku, 9.99m, 10)).Status, Is.EqualTo(HttpStatusCode.OK));
        var placed = await _system.Api.PlaceOrderAsync("user-oidc", (sku, 1));
        Assert.That(placed.Status, Is.EqualTo(HttpStatusCode.Created), placed.ToString());
        return placed.Json["orderId"]!.GetValue<string>();
    }
}
