using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Operations.Console.Failures;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>/ops/failures: parked outbox rows and dead letters, grouped by module, exception type and message shape.</summary>
public sealed class FailuresModel : PageModel
{
    internal FailureGroups.Result Result { get; private set; } = new([], [], null);

    public async Task OnGetAsync(CancellationToken ct) => Result = await HttpContext.RequestServices.GetRequiredService<FailureGroups>().ReadAsync(ct);
}
