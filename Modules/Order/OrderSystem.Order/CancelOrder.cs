using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Order;

/// <summary>
/// POST /api/orders/{orderId}/cancellation: a buyer or an operator cancels an order. A paid order is cancelled only while
/// its shipment can still be stopped, and its refund starts in the same transaction (<see cref="OrderCancellation"/>).
/// </summary>
internal static class CancelOrder
{
    internal sealed record Request(string? Reason);

    /// <summary>The refund the cancellation started; null for an order that was never paid.</summary>
    internal sealed record Response(Guid OrderId, string Status, RefundView? Refund);

    public const int MaxReasonLength = 200;

    public static async Task<IResult> Handle(string orderId, HttpRequest http, OrderCancellation cancellation, CancellationToken ct)
    {
        var (request, problem) = await JsonBody.ReadAsync<Request>(http, ct);
        if (problem is not null)
        {
            return problem;
        }
        if (!OrderIds.TryParse(orderId, out var id, out problem))
        {
            return problem!;
        }
        if (!IsValidReason(request!.Reason))
        {
            return Problems.Validation("reason",
                $"Give a reason of 1-{MaxReasonLength} characters, not only spaces, with no control characters.");
        }
        return await cancellation.CancelAsync(id, request.Reason!, ct);
    }

    private static bool IsValidReason(string? reason) =>
        reason is { Length: >= 1 and <= MaxReasonLength } && !string.IsNullOrWhiteSpace(reason) && !reason.Any(char.IsControl);
}
