using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>
/// /ops/login: an operator's name (what the audit log records) and the shared password (<c>Ops:Password</c>), and a
/// button for each external identity provider the host added (a remote scheme with a display name, signing in to
/// <see cref="OperationsConsole.Scheme"/>). POSTs are limited per client address (<c>Ops:LoginAttemptsPerMinute</c>),
/// whatever their outcome.
/// </summary>
[EnableRateLimiting(OperationsConsole.LoginRateLimit)]
public sealed class LoginModel(IOptions<ConsoleOptions> options, IHostEnvironment environment, IAuthenticationSchemeProvider schemes)
    : PageModel
{
    [BindProperty]
    public string? Operator { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Problem { get; private set; }

    public bool PasswordEnabled => options.Value.EffectivePassword(environment) is not null;

    public IReadOnlyList<AuthenticationScheme> ExternalProviders { get; private set; } = [];

    /// <summary>Off when there is neither a password nor an external provider: nobody can sign in.</summary>
    public bool Enabled => PasswordEnabled || ExternalProviders.Count > 0;

    public async Task OnGetAsync() => ExternalProviders = await ExternalProvidersAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        ExternalProviders = await ExternalProvidersAsync();
        if (options.Value.EffectivePassword(environment) is not { } expected)
        {
            return Page();
        }
        var name = Operator?.Trim();
        if (name is not { Length: >= 1 and <= 64 } || name.Any(char.IsControl))
        {
            Problem = "Give your name (1-64 characters): the audit log records who did what.";
            return Page();
        }
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(Password ?? "")))
        {
            Problem = "Wrong password.";
            return Page();
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], OperationsConsole.Scheme);
        await HttpContext.SignInAsync(OperationsConsole.Scheme, new ClaimsPrincipal(identity));
        return LocalRedirect(SafeReturnUrl);
    }

    /// <summary>Hands the browser to the provider; its answer comes back to the scheme's callback, which signs in.</summary>
    public async Task<IActionResult> OnPostExternalAsync(string? provider)
    {
        if ((await ExternalProvidersAsync()).FirstOrDefault(s => s.Name == provider) is not { } scheme)
        {
            // The page offers only known providers: a hand-made POST, answered as other bad input is.
            return new ObjectResult(new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Type = "https://ordersystem.dev/problems/unknown-identity-provider",
                Title = "Not an identity provider the console offers.",
            }) { StatusCode = StatusCodes.Status400BadRequest };
        }
        return Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl }, scheme.Name);
    }

    private string SafeReturnUrl =>
        ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith("/ops", StringComparison.Ordinal) ? url : "/ops";

    // A remote scheme (it handles its own callback) that the host named for people: OpenID Connect, OAuth, WS-Federation.
    private async Task<IReadOnlyList<AuthenticationScheme>> ExternalProvidersAsync() =>
        [.. (await schemes.GetRequestHandlerSchemesAsync()).Where(s => s.DisplayName is { Length: > 0 })];
}
