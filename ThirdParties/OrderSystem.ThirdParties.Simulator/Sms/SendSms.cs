using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator.Sms;

/// <summary>POST /sms/messages: the SMS gateway sends one text message, once per Idempotency-Key.</summary>
internal static class SendSms
{
    private const int MaxUserId = 64;
    private const int MaxText = 1600;

    internal sealed record Request(Guid? OrderId, string? UserId, string? Text);

    internal sealed record Answer(Guid SmsId, Guid OrderId, string UserId, string Text, DateTimeOffset SentAt);

    public static void MapSmsApi(this IEndpointRouteBuilder app) => app.MapPost("/sms/messages", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext http, PartyControl parties, IdempotentCalls calls)
    {
        var settings = parties.Current(Party.Sms);
        var (key, request, stop) = await IncomingCall.ReadAsync<Request>(http, settings);
        if (key is null || request is null)
        {
            return stop!;
        }
        if (Validate(request) is { Count: > 0 } errors)
        {
            return Problems.Invalid(errors);
        }
        return await Faults.ProcessAsync(http, Party.Sms, settings, mayReject: true)
            ?? calls.Run(Party.Sms, key, request, http.Response,
                at => new Answer(Guid.NewGuid(), request.OrderId!.Value, request.UserId!, request.Text!, at),
                answer => answer.OrderId);
    }

    private static Dictionary<string, string[]> Validate(Request request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.OrderId is null || request.OrderId == Guid.Empty)
        {
            errors["orderId"] = ["is required: a non-empty GUID"];
        }
        if (request.UserId is not { Length: > 0 and <= MaxUserId })
        {
            errors["userId"] = [$"is required: 1 to {MaxUserId} characters"];
        }
        if (request.Text is not { Length: > 0 and <= MaxText })
        {
            errors["text"] = [$"is required: 1 to {MaxText} characters"];
        }
        return errors;
    }
}
