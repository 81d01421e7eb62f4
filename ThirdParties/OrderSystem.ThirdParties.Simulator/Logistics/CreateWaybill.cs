using System.Security.Cryptography;
using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator.Logistics;

/// <summary>
/// POST /logistics/waybills: the logistics system opens one waybill with a tracking number, once per Idempotency-Key. Its
/// parcel is picked up pickupDelayMs later, as the settings are when it is created (<see cref="Waybills"/>).
/// </summary>
internal static class CreateWaybill
{
    internal sealed record Request(Guid? OrderId);

    internal sealed record Answer(Guid WaybillId, string TrackingNumber, Guid OrderId, DateTimeOffset CreatedAt);

    public static void MapLogisticsApi(this IEndpointRouteBuilder app) => app.MapPost("/logistics/waybills", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext http, PartyControl parties, IdempotentCalls calls, Waybills waybills)
    {
        var settings = parties.Current(Party.Logistics);
        var (key, request, stop) = await IncomingCall.ReadAsync<Request>(http, settings);
        if (key is null || request is null)
        {
            return stop!;
        }
        if (request.OrderId is null || request.OrderId == Guid.Empty)
        {
            return Problems.Invalid("orderId", "is required: a non-empty GUID");
        }
        return await Faults.ProcessAsync(http, Party.Logistics, settings, mayReject: true)
            ?? calls.Run(Party.Logistics, key, request, http.Response,
                at =>
                {
                    var answer = new Answer(Guid.NewGuid(), TrackingNumber(), request.OrderId.Value, at);
                    waybills.Add(answer.WaybillId, answer.OrderId, at, settings.PickupDelayMs ?? 0);
                    return answer;
                },
                answer => answer.OrderId);
    }

    private static string TrackingNumber() => "TRK" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
}
