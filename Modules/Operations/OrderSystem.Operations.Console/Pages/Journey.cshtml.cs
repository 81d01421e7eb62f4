using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Order.Contracts;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>
/// /ops/orders/{id}: the order's journey in time order, from Order's port (created, paid, each fulfillment step, expiry,
/// cancellation) and Refunds' port (each refund's request and its latest state).
/// </summary>
public sealed class JourneyModel(IServiceProvider services) : PageModel
{
    public sealed record Event(DateTime At, string Kind, string Title, string? Detail);

    [BindProperty(SupportsGet = true)]
    public Guid OrderId { get; set; }

    public OrderJourney? Journey { get; private set; }

    public IReadOnlyList<RefundDetail> Refunds { get; private set; } = [];

    public IReadOnlyList<Event> Events { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Journey = services.GetService<IOrderOperations>() is { } orders ? await orders.JourneyAsync(OrderId, ct) : null;
        if (Journey is null)
        {
            return NotFound();
        }
        Refunds = services.GetService<IRefundOperations>() is { } refunds ? await refunds.ForOrderAsync(OrderId, ct) : [];
        Events = [.. EventsOf(Journey, Refunds).OrderBy(e => e.At)];
        return Page();
    }

    private static IEnumerable<Event> EventsOf(OrderJourney journey, IReadOnlyList<RefundDetail> refunds)
    {
        yield return new Event(journey.Order.CreatedAt, "created", "Created", $"payment window until {journey.ExpiresAt:u}");
        if (journey.PaidAt is { } paid)
        {
            yield return new Event(paid, "paid", "Paid", $"payment {journey.Order.PaymentId}");
        }
        foreach (var step in journey.Steps.Where(s => s.At is not null))
        {
            yield return new Event(step.At!.Value, "step-" + step.Step, $"{step.Step}: {step.Status}", null);
        }
        if (journey.ExpiredAt is { } expired)
        {
            yield return new Event(expired, "expired", "Expired", "the payment window ended unpaid");
        }
        if (journey.CancelledAt is { } cancelled)
        {
            yield return new Event(cancelled, "cancelled", "Cancelled", journey.CancelReason ?? "stock short at payment");
        }
        foreach (var refund in refunds)
        {
            yield return new Event(refund.RequestedAt, "refund-requested", "Refund requested", $"{refund.Amount} ({refund.Reason})");
            if (refund.CompletedAt is { } completed)
            {
                yield return new Event(completed, "refund-" + refund.Status.ToLowerInvariant(), "Refund " + refund.Status,
                    $"after {refund.Attempts} attempts {refund.Note}");
            }
        }
    }
}
