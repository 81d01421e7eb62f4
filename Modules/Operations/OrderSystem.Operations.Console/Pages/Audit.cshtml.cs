using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Operations.Console.Actions;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>/ops/audit: the latest 200 actions, newest first; ?action= highlights the one just confirmed.</summary>
public sealed class AuditModel : PageModel
{
    [BindProperty(SupportsGet = true, Name = "action")]
    public Guid? Highlight { get; set; }

    internal IReadOnlyList<AuditLog.Entry> Entries { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Entries = await HttpContext.RequestServices.GetRequiredService<AuditLog>().LatestAsync(200, ct);
}
