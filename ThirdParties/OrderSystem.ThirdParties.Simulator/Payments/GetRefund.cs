using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator.Payments;

/// <summary>GET /payments/refunds/{refundId}: the refund as it is now. The way to resolve an answer that never came.</summary>
internal static class GetRefund
{
    public static async Task<IResult> HandleAsync(string refundId, HttpContext http, PartyControl parties, Refunds refunds)
    {
        var settings = parties.Current(Party.Payments);
        if (!await Faults.AnswersAsync(http, settings))
        {
            return Results.Empty;
        }
        if (await Faults.ProcessAsync(http, Party.Payments, settings, mayReject: false) is { } fault)
        {
            return fault;
        }
        return Guid.TryParse(refundId, out var id) && refunds.Find(id) is { } refund
            ? Results.Ok(refund)
            : Problems.UnknownRefund(refundId);
    }
}
