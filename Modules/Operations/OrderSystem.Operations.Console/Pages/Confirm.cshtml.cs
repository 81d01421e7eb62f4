using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Operations.Console.Actions;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>
/// /ops/confirm?action=&amp;target=: every action asks first. The form carries a new action id; confirming runs the action
/// once under it (a second POST of the same form runs nothing) and shows its audit log entry.
/// </summary>
public sealed class ConfirmModel : PageModel
{
    [BindProperty(SupportsGet = true, Name = "action")]
    public string? Action { get; set; }

    [BindProperty(SupportsGet = true, Name = "target")]
    public string? Target { get; set; }

    [BindProperty]
    public Guid ActionId { get; set; }

    [BindProperty(Name = "note")]
    public string? Note { get; set; }

    public string? Question => Action is not null && Target is { Length: > 0 and <= 200 } && ConsoleActions.Kinds.TryGetValue(Action, out var kind)
        ? string.Format(System.Globalization.CultureInfo.InvariantCulture, kind.Question, Target)
        : null;

    public bool NeedsNote => Action is not null && ConsoleActions.Kinds.TryGetValue(Action, out var kind) && kind.NeedsNote;

    public void OnGet() => ActionId = Guid.NewGuid();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Question is null || ActionId == Guid.Empty)
        {
            return BadRequest();
        }
        if (NeedsNote && string.IsNullOrWhiteSpace(Note))
        {
            return Page();
        }
        await HttpContext.RequestServices.GetRequiredService<ConsoleActions>().RunAsync(ActionId, User.Identity?.Name ?? "unknown", Action!, Target!, Note, ct);
        return Redirect($"/ops/audit?action={ActionId}");
    }
}
