using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>/ops/orders?q=: orders by id, user id or payment id (Order's port); one exact order id opens its journey.</summary>
public sealed class OrdersModel(IServiceProvider services) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public IReadOnlyList<OrderSummary> Results { get; private set; } = [];

    public bool OrderRuns => services.GetService<IOrderOperations>() is not null;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Q = Q?.Trim() is { Length: >= 1 and <= 64 } q ? q : null;
        if (Q is null || services.GetService<IOrderOperations>() is not { } orders)
        {
            return Page();
        }
        Results = await orders.SearchAsync(Q, 50, ct);
        return Results is [var only] && only.OrderId.ToString() == Q.ToLowerInvariant() ? Redirect($"/ops/orders/{only.OrderId}") : Page();
    }
}
