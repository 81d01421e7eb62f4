using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator;

/// <summary>
/// A party's faults, in the order a call meets them: down, hang (the connection), then delay, failure, reject (the
/// processing). A call reads its party's settings once, when it arrives.
/// </summary>
internal static class Faults
{
    /// <summary>
    /// down: the connection is aborted at once, with no answer; the caller sees a reset, as for a refused connection
    /// (a truly refused one: stop the process). hang: the call is accepted and never answered, until the caller gives up.
    /// </summary>
    /// <returns>false when the caller gets no answer at all.</returns>
    public static async Task<bool> AnswersAsync(HttpContext http, PartySettings settings)
    {
        if (settings.Down)
        {
            http.Abort();
            return false;
        }
        if (settings.Hang)
        {
            // Shutdown ends the hang too, or stopping the simulator would wait for every hanging caller.
            using var either = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, Stopping(http));
            try
            {
                await Task.Delay(Timeout.Infinite, either.Token);
            }
            catch (OperationCanceledException)
            {
            }
            http.Abort();
            return false;
        }
        return true;
    }

    /// <summary>
    /// The delay (plus a spike now and then), then a failure (503), then a refusal (422) if it may refuse: one of the
    /// rejectNext refusals left, else by rejectProbability.
    /// </summary>
    /// <returns>null when the work may go ahead.</returns>
    public static async Task<IResult?> ProcessAsync(HttpContext http, string party, PartySettings settings, bool mayReject)
    {
        var delay = settings.DelayMs + (Random.Shared.NextDouble() < settings.SpikeProbability ? settings.SpikeMs : 0);
        if (delay > 0)
        {
            // Not the caller's token: a real provider goes on with a request whose caller has timed out, and then does
            // the work. The caller's retry under the same key must find that result. Only shutdown cuts it short.
            await Task.Delay(delay, Stopping(http));
        }
        if (Random.Shared.NextDouble() < settings.FailureProbability)
        {
            return Problems.Failure(party);
        }
        if (mayReject && (http.RequestServices.GetRequiredService<PartyControl>().TakeRejection(party)
            || Random.Shared.NextDouble() < settings.RejectProbability))
        {
            return Problems.Rejected(party);
        }
        return null;
    }

    private static CancellationToken Stopping(HttpContext http) =>
        http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
}
