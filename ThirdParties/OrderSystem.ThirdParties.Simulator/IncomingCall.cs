using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator;

/// <summary>The start every business call shares: the party's outage faults, then its Idempotency-Key and its body.</summary>
internal static class IncomingCall
{
    /// <summary>
    /// Returns the key and the request, or the answer that stops the call (none for a dropped connection). Key and body
    /// are read before the delay: the work goes ahead even if the caller is gone by then.
    /// </summary>
    public static async Task<(string? Key, T? Request, IResult? Stop)> ReadAsync<T>(HttpContext http, PartySettings settings)
        where T : class
    {
        if (!await Faults.AnswersAsync(http, settings))
        {
            return (null, null, Results.Empty);
        }
        var (key, badKey) = IdempotentCalls.KeyOf(http.Request);
        if (key is null)
        {
            return (null, null, badKey);
        }
        var (request, badBody) = await JsonBody.ReadAsync<T>(http.Request);
        return request is null ? (null, null, badBody) : (key, request, null);
    }
}
