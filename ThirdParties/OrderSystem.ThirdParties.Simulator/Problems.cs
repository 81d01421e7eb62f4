namespace OrderSystem.ThirdParties.Simulator;

/// <summary>Every error is application/problem+json with a stable type, as the host's own are.</summary>
internal static class Problems
{
    private const string TypeBase = "https://ordersystem.dev/problems/";

    public static IResult UnknownParty(string party) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound, type: TypeBase + "unknown-party", title: "Unknown party",
        detail: $"There is no party '{party}' here; the parties are {string.Join(", ", Party.All)}.");

    public static IResult Invalid(string field, string error) => Invalid(new Dictionary<string, string[]> { [field] = [error] });

    public static IResult Invalid(IDictionary<string, string[]> errors) => Results.ValidationProblem(
        errors, type: TypeBase + "validation", title: "The request is not valid", detail: "See errors for each field.");

    public static IResult Failure(string party) => Results.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable, type: TypeBase + "third-party-failure",
        title: "The party failed", detail: $"{party} failed this call (simulated, failureProbability); nothing was done.");

    public static IResult Rejected(string party) => Results.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity, type: TypeBase + "third-party-rejection",
        title: "the party refused this request",
        detail: $"{party} is healthy but refused this request (simulated, rejectProbability); nothing was done.");

    public static IResult KeyReused(string party, string key) => Results.Problem(
        statusCode: StatusCodes.Status409Conflict, type: TypeBase + "idempotency-key-reused",
        title: "Idempotency-Key reused with another body",
        detail: $"{party} already did a different request under the Idempotency-Key '{key}'.");

    public static IResult NoLedger(string party) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound, type: TypeBase + "unknown-ledger", title: "No such ledger",
        detail: $"There is no ledger '{party}'; the ledgers are sms, logistics and refunds (the payment provider's).");

    /// <summary>The ambiguous case: the work was done, but the caller cannot tell it from a failure.</summary>
    public static IResult LostAnswer(string party) => Results.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable, type: TypeBase + "third-party-failure",
        title: "The party failed",
        detail: $"{party} failed to answer this call (simulated, lostAnswerProbability); it may have been done: query it.");

    public static IResult UnknownRefund(string refundId) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound, type: TypeBase + "unknown-refund", title: "No such refund",
        detail: $"The payment provider has no refund '{refundId}'.");
}
