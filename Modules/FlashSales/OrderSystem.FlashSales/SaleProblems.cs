using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.FlashSales;

/// <summary>The flash sales' own answers, each with a stable problem type a buyer's app can switch on.</summary>
internal static class SaleProblems
{
    public static IResult SoldOut() => Problems.Create(StatusCodes.Status409Conflict, "sold-out", "Sold out.",
        "Fewer units are left in the sale than were asked for.");

    public static IResult LimitReached() => Problems.Create(StatusCodes.Status409Conflict, "limit-reached", "Limit reached.",
        "These units would take the buyer past the sale's per-user limit.");

    public static IResult NotStarted() => Problems.Create(StatusCodes.Status409Conflict, "not-started", "Not started.",
        "The sale has not started yet: see its startsAt.");

    public static IResult Ended() => Problems.Create(StatusCodes.Status409Conflict, "ended", "Ended.", "The sale has ended.");

    public static IResult StoreUnavailable() => Problems.Create(StatusCodes.Status503ServiceUnavailable, "store-unavailable",
        "The sale's store is unavailable.", "The flash sales' store did not answer; try again in a moment.");

    public static IResult InvalidSaleId() => Problems.Validation("saleId", Contracts.SaleIds.Message);
}
