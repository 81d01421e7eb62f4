using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging.Yielding;
using OrderSystem.FlashSales.Contracts;
using OrderSystem.Order.Contracts;
using StackExchange.Redis;

namespace OrderSystem.FlashSales;

/// <summary>
/// POST /api/flash-sales/{saleId}/orders: a buyer asks for units. One script in the store decides (window, per-user
/// limit, units left), takes the units and queues the order request, all or nothing; the database is not touched. A 202
/// means the request is on disk in the store's stream, and the order writer will make it an order. A sale the store
/// just said is sold out is refused by the host itself for a short while (<see cref="SoldOutMemo"/>). Every request
/// counts towards the host's <see cref="ForegroundPeak"/>, so that fulfillment steps aside while a wave arrives.
/// </summary>
internal static class RequestOrder
{
    internal sealed record Request(string? UserId, int? Quantity);

    internal sealed record Response(Guid TicketId, string Status);

    public const int MaxQuantity = 999;

    public static async Task<IResult> Handle(
        string saleId, HttpRequest http, SaleStore store, SoldOutMemo soldOut, ForegroundPeak peak, TimeProvider clock, CancellationToken ct)
    {
        peak.Note();
        var (request, problem) = await JsonBody.ReadAsync<Request>(http, ct);
        if (problem is not null)
        {
            return problem;
        }
        var errors = Validate(saleId, request!);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var (userId, quantity) = (request!.UserId!, request.Quantity!.Value);
        if (soldOut.IsSoldOut(saleId, quantity))
        {
            FlashSaleMetrics.Admission("sold-out", byHost: true);
            return SaleProblems.SoldOut();
        }
        var ticketId = Guid.CreateVersion7();
        Admission admission;
        try
        {
            admission = await store.AdmitAsync(saleId, userId, quantity, ticketId, clock.GetUtcNow().UtcDateTime);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // After a timeout the script may have run: then the ticket exists and becomes an order (decision 0018).
            return SaleProblems.StoreUnavailable();
        }
        FlashSaleMetrics.Admission(admission.Outcome, byHost: false);
        if (admission.EndsAt is { } endsAt)
        {
            soldOut.Remember(saleId, quantity, endsAt);
        }
        return admission.Outcome switch
        {
            "admitted" => TypedResults.Accepted($"/api/flash-sales/{saleId}/tickets/{ticketId}", new Response(ticketId, TicketStatus.Pending)),
            "sold-out" => SaleProblems.SoldOut(),
            "limit-reached" => SaleProblems.LimitReached(),
            "not-started" => SaleProblems.NotStarted(),
            "ended" => SaleProblems.Ended(),
            _ => Problems.NotFound("Sale", saleId),
        };
    }

    private static Dictionary<string, string[]> Validate(string saleId, Request request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!SaleIds.IsValid(saleId))
        {
            errors["saleId"] = [SaleIds.Message];
        }
        if (!UserIds.IsValid(request.UserId))
        {
            errors["userId"] = [UserIds.Message];
        }
        if (request.Quantity is not (>= 1 and <= MaxQuantity))
        {
            errors["quantity"] = [$"The quantity must be a whole number from 1 to {MaxQuantity}."];
        }
        return errors;
    }
}
