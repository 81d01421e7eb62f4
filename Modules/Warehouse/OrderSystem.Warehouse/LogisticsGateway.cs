using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.ThirdParties;

namespace OrderSystem.Warehouse;

/// <summary>
/// The logistics system (ThirdParties:BaseUrl + /logistics/waybills). One waybill per order: the order id is the
/// idempotency key, so a retried attempt, a redelivered message or a second host gets the same waybill back.
/// </summary>
internal sealed class LogisticsGateway([FromKeyedServices(LogisticsGateway.Party)] ThirdParty logistics)
{
    public const string Party = "logistics";

    /// <summary>
    /// Its normal worst answer is about 2 s (500 ms plus 1.5 s spikes): an attempt over 3 s is a fault. Three attempts
    /// within 12 s; the breaker opens when half of at least 10 attempts in 30 s failed, and probes every 5 s.
    /// </summary>
    public static readonly ThirdPartyResilience Resilience = new()
    {
        AttemptTimeoutMs = 3000, TotalTimeoutMs = 12000, MaxRetries = 2, RetryDelayMs = 200, Concurrency = 64, QueueLimit = 512,
        FailureRatio = 0.5, MinimumThroughput = 10, SamplingDurationMs = 30000, BreakDurationMs = 5000,
    };

    public Task<Waybill> RequestShipmentAsync(Guid orderId, CancellationToken ct) =>
        logistics.CallAsync(async (http, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "logistics/waybills")
            {
                Content = JsonContent.Create(new WaybillRequest(orderId)),
            };
            request.Headers.Add(ThirdPartyRequests.IdempotencyKey, $"waybill:{orderId}");
            using var response = await http.SendAsync(request, token);
            await ThirdPartyRequests.EnsureSuccessAsync(response, Party, token);
            return await response.Content.ReadFromJsonAsync<Waybill>(token)
                ?? throw new ThirdPartyUnavailableException(Party, response.StatusCode, "an empty waybill");
        }, ct);

    /// <summary>
    /// Cancels a waybill (idempotent at the logistics system): true when it is cancelled, false when the parcel was
    /// picked up already (409). A party fault waits at the gate, as every call does, unless <paramref name="ct"/> ends it.
    /// </summary>
    public Task<bool> CancelWaybillAsync(Guid waybillId, CancellationToken ct) =>
        logistics.CallAsync(async (http, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"logistics/waybills/{waybillId}/cancellation");
            request.Headers.Add(ThirdPartyRequests.IdempotencyKey, $"waybill-cancellation:{waybillId}");
            using var response = await http.SendAsync(request, token);
            if (response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                return false;
            }
            await ThirdPartyRequests.EnsureSuccessAsync(response, Party, token);
            return true;
        }, ct);

    private sealed record WaybillRequest(Guid OrderId);

    /// <summary>The logistics system's answer.</summary>
    internal sealed record Waybill(Guid WaybillId, string TrackingNumber);
}
