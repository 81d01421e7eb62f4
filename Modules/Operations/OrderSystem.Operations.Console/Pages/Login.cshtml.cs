using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>
/// /ops/login: an operator's name (what the audit log records) and the shared password (<c>Ops:Password</c>). POSTs are
/// limited per client address (<c>Ops:LoginAttemptsPerMinute</c>), whatever their outcome.
/// </summary>
[EnableRateLimiting(OperationsConsole.LoginRateLimit)]
public sealed class LoginModel(IOptions<ConsoleOptions> options, IHostEnvironment environment) : PageModel
{
    [BindProperty]
    public string? Operator { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Problem { get; private set; }

    public bool Enabled => options.Value.EffectivePassword(environment) is not null;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
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
        return LocalRedirect(ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith("/ops", StringComparison.Ordinal) ? url : "/ops");
    }
}
