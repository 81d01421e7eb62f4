using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Feed.Contracts;
using OrderSystem.Operations.Console.Journey;
using OrderSystem.Order.Contracts;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Operations.Console.Pages;

/// <summary>
/// /ops/orders/{id}: the order's journey in time order, from Order's port (created, paid, each fulfillment step, expiry,
/// cancellation) and Refunds' port (each refund's request and its latest state), each with its message and trace
/// (<see cref="JourneyMessages"/>).
/// </summary>
public sealed class JourneyModel(IServiceProvider services) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid OrderId { get; set; }

    public OrderJourney? Journey { get; private set; }

    public IReadOnlyList<RefundDetail> Refunds { get; private set; } = [];

    public IReadOnlyList<JourneyEvent> Events { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var orders = services.GetService<IOrderOperations>();
        Journey = orders is null ? null : await orders.JourneyAsync(OrderId, ct);
        if (Journey is null || orders is null)
        {
            return NotFound();
        }
        Refunds = services.GetService<IRefundOperations>() is { } refunds ? await refunds.ForOrderAsync(OrderId, ct) : [];
        Events = await services.GetRequiredService<JourneyMessages>().LinkAsync(
            [.. EventsOf(Journey, Refunds).OrderBy(e => e.At)], OrderId, services.GetService<IFeedOperations>(), orders, ct);
        return Page();
    }

    private static IEnumerable<JourneyEvent> EventsOf(OrderJourney journey, IReadOnlyList<RefundDetail> refunds)
    {
        yield return new JourneyEvent(journey.Order.CreatedAt, "created", "Created", $"payment window until {journey.ExpiresAt:u}");
        if (journey.PaidAt is { } paid)
        {
            yield return new JourneyEvent(paid, "paid", "Paid", $"payment {journey.Order.PaymentId}");
        }
        foreach (var step in journey.Steps.Where(s => s.At is not null))
        {
            yield return new JourneyEvent(step.At!.Value, "step-" + step.Step, $"{step.Step}: {step.Status}", null)
            {
                Attempts = step.Attempts, MessageId = step.MessageId, MessageType = step.MessageId is null ? null : "OrderPaid",
            };
        }
        if (journey.ExpiredAt is { } expired)
        {
            yield return new JourneyEvent(expired, "expired", "Expired", "the payment window ended unpaid");
        }
        if (journey.CancelledAt is { } cancelled)
        {
            yield return new JourneyEvent(cancelled, "cancelled", "Cancelled", journey.CancelReason ?? "stock short at payment");
        }
        foreach (var refund in refunds)
        {
            yield return new JourneyEvent(refund.RequestedAt, "refund-requested", "Refund Requested", $"{refund.Amount} ({refund.Reason})", refund.RefundId);
            if (refund.CompletedAt is { } completed)
            {
                yield return new JourneyEvent(completed, "refund-" + refund.Status.ToLowerInvariant(), "Refund " + refund.Status,
                    $"after {refund.Attempts} attempts {refund.Note}", refund.RefundId);
            }
        }
    }
}
