using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.ThirdParties;

namespace OrderSystem.Push;

/// <summary>
/// The SMS gateway (ThirdParties:BaseUrl + /sms/messages). One text per order and purpose: the idempotency key is built
/// from them, so a redelivered message, a retried attempt or a second host never sends a second text.
/// </summary>
internal sealed class SmsGateway([FromKeyedServices(SmsGateway.Party)] ThirdParty gateway)
{
    public const string Party = "sms";

    /// <summary>
    /// A text is short and the gateway fast (about 100 ms, spikes to 1.3 s): an attempt over 2 s is a fault. Three
    /// attempts within 8 s; the breaker opens when half of at least 10 attempts in 30 s failed, and probes every 5 s.
    /// </summary>
    public static readonly ThirdPartyResilience Resilience = new()
    {
        AttemptTimeoutMs = 2000, TotalTimeoutMs = 8000, MaxRetries = 2, RetryDelayMs = 200, Concurrency = 64, QueueLimit = 512,
        FailureRatio = 0.5, MinimumThroughput = 10, SamplingDurationMs = 30000, BreakDurationMs = 5000,
    };

    public Task SendAsync(string purpose, Guid orderId, string userId, string text, CancellationToken ct) =>
        gateway.CallAsync(async (http, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "sms/messages")
            {
                Content = JsonContent.Create(new SmsRequest(orderId, userId, text)),
            };
            request.Headers.Add(ThirdPartyRequests.IdempotencyKey, $"{purpose}:{orderId}");
            using var response = await http.SendAsync(request, token);
            await ThirdPartyRequests.EnsureSuccessAsync(response, Party, token);
            return true;
        }, ct);

    private sealed record SmsRequest(Guid OrderId, string UserId, string Text);
}
