using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrderSystem.FlashSales;

/// <summary>
/// Sheds the wave before it reaches the store: FlashSales:AdmissionsPerSecond per host (a token bucket refilled every
/// 100 ms), and at most FlashSales:MaxAdmissionsInFlight admissions in the host at once; the rest answered 429 with
/// Retry-After at once. It is the first middleware of the pipeline (AdmissionShedding): a shed request costs no routing,
/// no exception handler, no endpoint and no problem serialization (finding 16 of docs/performance.md).
/// </summary>
internal sealed class AdmissionRateLimit : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket;
    private readonly ConcurrencyLimiter _inFlight;
    private readonly RateLimiter _limiter;

    public AdmissionRateLimit(IOptions<FlashSaleOptions> options)
    {
        var perSecond = Math.Max(10, options.Value.AdmissionsPerSecond);
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = Math.Max(1, perSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        _inFlight = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = options.Value.MaxAdmissionsInFlight, QueueLimit = 0 });
        // In-flight first: a request refused for it takes no token from the bucket.
        _limiter = RateLimiter.CreateChained(_inFlight, _bucket);
    }

    /// <summary>A lease for one admission, held until its answer is written; not acquired: shed it.</summary>
    public RateLimitLease Acquire() => _limiter.AttemptAcquire();

    /// <summary>Whole seconds until the bucket has a token again, at least 1.</summary>
    public static string RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.FromSeconds(1)
            ? ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
            : "1";

    public void Dispose()
    {
        _limiter.Dispose();
        _bucket.Dispose();
        _inFlight.Dispose();
    }
}
