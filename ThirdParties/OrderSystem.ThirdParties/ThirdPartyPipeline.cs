using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace OrderSystem.ThirdParties;

/// <summary>
/// One party's pipeline, outermost first: bulkhead, total timeout, retry, circuit breaker, attempt timeout. The order of
/// Microsoft's standard handler: every attempt is timed and counted by the breaker; the retries and their delays share
/// the total timeout; a call waiting for a bulkhead slot holds no connection.
/// </summary>
internal static class ThirdPartyPipeline
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ThirdParty party)
    {
        var numbers = party.Resilience;
        pipeline.AddConcurrencyLimiter(numbers.Concurrency, numbers.QueueLimit);
        pipeline.AddTimeout(TimeSpan.FromMilliseconds(numbers.TotalTimeoutMs));
        if (numbers.MaxRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = numbers.MaxRetries,
                Delay = TimeSpan.FromMilliseconds(numbers.RetryDelayMs),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // A retried POST without an idempotency key could do the thing twice.
                ShouldHandle = args => ValueTask.FromResult(
                    IsSafeToRepeat(args.Context.GetRequestMessage()) && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            });
        }
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = numbers.FailureRatio,
            MinimumThroughput = numbers.MinimumThroughput,
            SamplingDuration = TimeSpan.FromMilliseconds(numbers.SamplingDurationMs),
            BreakDuration = TimeSpan.FromMilliseconds(numbers.BreakDurationMs),
            // Only the party's faults count: a 4xx refusal says the request was wrong, not that the party is down.
            ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            OnOpened = args =>
            {
                party.Opened(args.BreakDuration);
                return default;
            },
            OnHalfOpened = _ =>
            {
                party.HalfOpened();
                return default;
            },
            OnClosed = _ =>
            {
                party.Closed();
                return default;
            },
        });
        pipeline.AddTimeout(TimeSpan.FromMilliseconds(numbers.AttemptTimeoutMs));
    }

    private static bool IsSafeToRepeat(HttpRequestMessage? request) =>
        request is not null && (request.Method == HttpMethod.Get || request.Headers.Contains(ThirdPartyRequests.IdempotencyKey));
}

/// <summary>How OrderSystem talks to a party: an idempotency key on every call that changes something, problem answers read.</summary>
public static class ThirdPartyRequests
{
    public const string IdempotencyKey = "Idempotency-Key";

    /// <summary>Throws for an answer that is not a success: unavailable (5xx, 408, 429) or rejected (any other 4xx).</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string party, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var body = await response.Content.ReadAsStringAsync(ct);
        var detail = body.Length > 300 ? body[..300] : body;
        var status = response.StatusCode;
        if ((int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
        {
            throw new ThirdPartyUnavailableException(party, status, detail);
        }
        throw new ThirdPartyRejectedException(party, status, detail);
    }
}
