using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.FlashSales;

/// <summary>
/// Sheds the wave before it reaches the store: FlashSales:AdmissionsPerSecond per host (a token bucket refilled every
/// 100 ms), the rest answered 429 with Retry-After at once. The policy answers its own rejections, so the host's other
/// limits (the console's sign-in) keep theirs: ASP.NET Core calls a policy's OnRejected instead of the global one.
/// </summary>
internal sealed class AdmissionRateLimit(IOptions<FlashSaleOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "flash-sale-admissions";

    private readonly int _perSecond = Math.Max(10, options.Value.AdmissionsPerSecond);

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, _) =>
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        FlashSaleMetrics.Admission("shed");
        await Problems.Create(StatusCodes.Status429TooManyRequests, "too-many-requests", "Too many requests.",
            "The sale is taking more requests than it can answer; try again after Retry-After seconds.").ExecuteAsync(context.HttpContext);
    };

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        RateLimitPartition.GetTokenBucketLimiter("admissions", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = _perSecond,
            TokensPerPeriod = Math.Max(1, _perSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
