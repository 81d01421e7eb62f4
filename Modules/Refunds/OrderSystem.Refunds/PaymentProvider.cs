using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrderSystem.ThirdParties;

namespace OrderSystem.Refunds;

/// <summary>
/// The payment provider's refund API (ThirdParties:BaseUrl + /payments/refunds), WeChat Pay v3 / Stripe style: our refund
/// id is the idempotency key for the refund's whole life, so submitting again after a lost answer can never refund twice.
/// </summary>
internal sealed class PaymentProvider([FromKeyedServices(PaymentProvider.Party)] ThirdParty provider, IOptions<RefundOptions> options)
{
    public const string Party = "payments";

    /// <summary>
    /// A refund request is small and the provider answers in about 50 ms: an attempt over 3 s is a fault. Three attempts
    /// within 10 s, all under the same key; the breaker as for the other parties.
    /// </summary>
    public static readonly ThirdPartyResilience Resilience = new()
    {
        AttemptTimeoutMs = 3000, TotalTimeoutMs = 10000, MaxRetries = 2, RetryDelayMs = 200, Concurrency = 32, QueueLimit = 512,
        FailureRatio = 0.5, MinimumThroughput = 10, SamplingDurationMs = 30000, BreakDurationMs = 5000,
    };

    /// <summary>Asks for the refund; the provider's view of it (usually PROCESSING).</summary>
    public Task<ProviderRefund> SubmitAsync(StoredRefund refund, CancellationToken ct) =>
        provider.CallAsync(async (http, token) =>
        {
            var webhook = options.Value.WebhookUrl;
            using var request = new HttpRequestMessage(HttpMethod.Post, "payments/refunds")
            {
                Content = JsonContent.Create(new SubmitRequest(refund.RefundId, refund.PaymentId, refund.OrderId, refund.Amount,
                    webhook.Length > 0 ? webhook : null)),
            };
            request.Headers.Add(ThirdPartyRequests.IdempotencyKey, refund.RefundId.ToString());
            using var response = await http.SendAsync(request, token);
            await ThirdPartyRequests.EnsureSuccessAsync(response, Party, token);
            return await ReadAsync(response, token);
        }, ct);

    /// <summary>The provider's view of the refund, or null when it never received it.</summary>
    public Task<ProviderRefund?> QueryAsync(Guid refundId, CancellationToken ct) =>
        provider.CallAsync<ProviderRefund?>(async (http, token) =>
        {
            using var response = await http.GetAsync($"payments/refunds/{refundId}", token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            await ThirdPartyRequests.EnsureSuccessAsync(response, Party, token);
            return await ReadAsync(response, token);
        }, ct);

    private static async Task<ProviderRefund> ReadAsync(HttpResponseMessage response, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync<ProviderRefund>(ct)
        ?? throw new ThirdPartyUnavailableException(Party, response.StatusCode, "an empty refund");

    private sealed record SubmitRequest(Guid RefundId, string PaymentId, Guid OrderId, decimal Amount, string? NotifyUrl);
}

/// <summary>A refund as the provider reports it: PROCESSING, SUCCESS, CLOSED or ABNORMAL.</summary>
internal sealed record ProviderRefund(Guid RefundId, string Status, decimal Amount);
