using Microsoft.AspNetCore.Http;
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

    /// <summary>The note goes into the audit log and, for a closed order, its cancel reason.</summary>
    public const int MaxNoteLength = 200;

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
        if (Question is null || ActionId == Guid.Empty || Note is { Length: > MaxNoteLength })
        {
            // The form the page itself renders never gets here: a hand-made POST, answered as the admin API answers bad input.
            return new ObjectResult(new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Type = "https://ordersystem.dev/problems/invalid-action",
                Title = "Not an action the console can run.",
                Detail = $"Give a known action, a target of 1-200 characters, the form's action id and a note of at most {MaxNoteLength} characters.",
            }) { StatusCode = StatusCodes.Status400BadRequest };
        }
        if (NeedsNote && string.IsNullOrWhiteSpace(Note))
        {
            return Page();
        }
        await HttpContext.RequestServices.GetRequiredService<ConsoleActions>().RunAsync(ActionId, User.Identity?.Name ?? "unknown", Action!, Target!, Note, ct);
        return Redirect($"/ops/audit?action={ActionId}");
    }
}
