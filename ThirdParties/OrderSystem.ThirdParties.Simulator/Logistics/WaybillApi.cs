using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator.Logistics;

/// <summary>
/// GET /logistics/waybills/{waybillId}: its state. POST /logistics/waybills/{waybillId}/cancellation: cancels it, as often
/// as asked (200 {"status":"Cancelled"}), unless the parcel was picked up (409 waybill-picked-up). Both meet the
/// logistics party's faults as the waybill request does, but never refuse (rejectProbability is for new waybills).
/// </summary>
internal static class WaybillApi
{
    public static void MapWaybillApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/logistics/waybills/{waybillId:guid}", (Guid waybillId, Waybills waybills) =>
            waybills.Find(waybillId) is { } waybill ? Results.Ok(waybill) : UnknownWaybill(waybillId));
        app.MapPost("/logistics/waybills/{waybillId:guid}/cancellation", CancelAsync);
    }

    private static async Task<IResult> CancelAsync(Guid waybillId, HttpContext http, PartyControl parties, Waybills waybills)
    {
        var settings = parties.Current(Party.Logistics);
        if (!await Faults.AnswersAsync(http, settings))
        {
            return Results.Empty;
        }
        if (await Faults.ProcessAsync(http, Party.Logistics, settings, mayReject: false) is { } failure)
        {
            return failure;
        }
        return waybills.Cancel(waybillId) switch
        {
            (false, _) => UnknownWaybill(waybillId),
            (true, { } cancelled) => Results.Ok(cancelled),
            _ => Results.Problem(statusCode: StatusCodes.Status409Conflict, type: "https://ordersystem.dev/problems/waybill-picked-up",
                title: "The parcel was picked up", detail: $"Waybill {waybillId} was picked up: it can no longer be cancelled."),
        };
    }

    private static IResult UnknownWaybill(Guid waybillId) => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        type: "https://ordersystem.dev/problems/unknown-waybill", title: "No such waybill", detail: $"There is no waybill '{waybillId}'.");
}
