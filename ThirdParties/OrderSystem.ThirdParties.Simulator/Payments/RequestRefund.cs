using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator.Payments;

/// <summary>
/// POST /payments/refunds: the provider takes a refund of (part of) a payment, once per refund id, which is also the
/// Idempotency-Key. It answers PROCESSING; the outcome comes later, by query and by webhook (RefundOutcomes).
/// </summary>
internal static class RequestRefund
{
    private const int MaxPaymentId = 64;
    private const int MaxNotifyUrl = 2048;

    internal sealed record Request(Guid? RefundId, string? PaymentId, Guid? OrderId, decimal? Amount, string? NotifyUrl);

    public static async Task<IResult> HandleAsync(HttpContext http, PartyControl parties, Refunds refunds)
    {
        var settings = parties.Current(Party.Payments);
        var (key, request, stop) = await IncomingCall.ReadAsync<Request>(http, settings);
        if (key is null || request is null)
        {
            return stop!;
        }
        if (Validate(request, key) is { Count: > 0 } errors)
        {
            return Problems.Invalid(errors);
        }
        if (await Faults.ProcessAsync(http, Party.Payments, settings, mayReject: true) is { } fault)
        {
            return fault;
        }
        var (taken, refund) = refunds.Take(request, settings);
        if (taken == Refunds.Taken.Conflict)
        {
            return Problems.KeyReused(Party.Payments, key);
        }
        // The refund is recorded whatever happens to this answer: the caller must find it by querying its id.
        if (Random.Shared.NextDouble() < (settings.LostAnswerProbability ?? 0))
        {
            return Problems.LostAnswer(Party.Payments);
        }
        if (taken == Refunds.Taken.Replayed)
        {
            http.Response.Headers[IdempotentCalls.ReplayedHeader] = "true";
        }
        return Results.Ok(refund);
    }

    private static Dictionary<string, string[]> Validate(Request request, string key)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.RefundId is null || request.RefundId == Guid.Empty)
        {
            errors["refundId"] = ["is required: a non-empty GUID"];
        }
        else if (!Guid.TryParse(key, out var keyId) || keyId != request.RefundId)
        {
            errors[IdempotentCalls.KeyHeader] = ["must be the refundId: the refund id is the idempotency key"];
        }
        if (request.PaymentId is not { Length: > 0 and <= MaxPaymentId })
        {
            errors["paymentId"] = [$"is required: 1 to {MaxPaymentId} characters"];
        }
        if (request.OrderId is null || request.OrderId == Guid.Empty)
        {
            errors["orderId"] = ["is required: a non-empty GUID"];
        }
        if (request.Amount is not { } amount || amount <= 0 || decimal.Round(amount, 2) != amount)
        {
            errors["amount"] = ["is required: a number above 0 with at most 2 decimals"];
        }
        if (request.NotifyUrl is { } url && !(url.Length <= MaxNotifyUrl && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            errors["notifyUrl"] = [$"must be an absolute http or https URL of at most {MaxNotifyUrl} characters, or left out"];
        }
        return errors;
    }
}
