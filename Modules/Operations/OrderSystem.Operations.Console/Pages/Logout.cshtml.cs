using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>POST /ops/logout ends the session; a GET goes back to the overview.</summary>
public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/ops");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(OperationsConsole.Scheme);
        return Redirect("/ops/login");
    }
}
