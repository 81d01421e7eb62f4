using System.Security.Cryptography;
using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator.Logistics;

/// <summary>POST /logistics/waybills: the logistics system opens one waybill with a tracking number, once per Idempotency-Key.</summary>
internal static class CreateWaybill
{
    internal sealed record Request(Guid? OrderId);

    internal sealed record Answer(Guid WaybillId, string TrackingNumber, Guid OrderId, DateTimeOffset CreatedAt);

    public static void MapLogisticsApi(this IEndpointRouteBuilder app) => app.MapPost("/logistics/waybills", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext http, PartyControl parties, IdempotentCalls calls)
    {
        var settings = parties.Current(Party.Logistics);
        if (!await Faults.AnswersAsync(http, settings))
        {
            return Results.Empty;
        }
        // Key and body are read before the delay: the work goes ahead even if the caller is gone by then.
        var (key, badKey) = IdempotentCalls.KeyOf(http.Request);
        if (key is null)
        {
            return badKey!;
        }
        var (request, badBody) = await JsonBody.ReadAsync<Request>(http.Request);
        if (request is null)
        {
            return badBody!;
        }
        if (request.OrderId is null || request.OrderId == Guid.Empty)
        {
            return Problems.Invalid("orderId", "is required: a non-empty GUID");
        }
        return await Faults.ProcessAsync(http, Party.Logistics, settings, mayReject: true)
            ?? calls.Run(Party.Logistics, key, request, http.Response,
                at => new Answer(Guid.NewGuid(), TrackingNumber(), request.OrderId.Value, at),
                answer => answer.OrderId);
    }

    private static string TrackingNumber() => "TRK" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
}
