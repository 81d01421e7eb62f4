using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>/ops: the overview; its figures come from /ops/api/overview, polled by ops.js.</summary>
public sealed class IndexModel(IOptions<ConsoleOptions> options) : PageModel
{
    public int RefreshMs => Math.Max(250, options.Value.SampleIntervalMs);

    public int LagSampleOrders => Overview.OverviewSampler.LagSampleOrders;

    public void OnGet()
    {
    }
}
