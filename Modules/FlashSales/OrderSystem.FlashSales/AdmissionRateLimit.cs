using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.FlashSales;

/// <summary>
/// Sheds the wave before it reaches the store: at most FlashSales:MaxAdmissionsInFlight admissions in the host at once
/// (the lease is held until the answer is written, so a store that stalls piles up no more than that), and
/// FlashSales:AdmissionsPerSecond per host (a token bucket refilled every 100 ms); the rest answered 429 with
/// Retry-After at once. The policy answers its own rejections, so the host's other limits (the console's sign-in) keep
/// theirs: ASP.NET Core calls a policy's OnRejected instead of the global one.
/// </summary>
internal sealed class AdmissionRateLimit(IOptions<FlashSaleOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "flash-sale-admissions";

    private readonly int _perSecond = Math.Max(10, options.Value.AdmissionsPerSecond);
    private readonly int _inFlight = options.Value.MaxAdmissionsInFlight;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, _) =>
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        FlashSaleMetrics.Admission("shed", byHost: true);
        await Problems.Create(StatusCodes.Status429TooManyRequests, "too-many-requests", "Too many requests.",
            "The sale is taking more requests than it can answer; try again after Retry-After seconds.").ExecuteAsync(context.HttpContext);
    };

    // In flight first: a request refused for it takes no token from the bucket.
    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.Get("admissions", _ => RateLimiter.CreateChained(
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = _inFlight, QueueLimit = 0 }),
            new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = _perSecond,
                TokensPerPeriod = Math.Max(1, _perSecond / 10),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                QueueLimit = 0,
                AutoReplenishment = true,
            })));
}
