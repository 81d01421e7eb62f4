using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.FlashSales;

/// <summary>
/// The first middleware of the pipeline: a POST /api/flash-sales/{saleId}/orders takes its lease from
/// AdmissionRateLimit here, and one over the limits is answered 429 with Retry-After at once, before routing, the
/// exception handler, the endpoint and its problem serialization. Most of a wave is shed, so what a shed request costs
/// is what the wave costs the host's other buyers (finding 16 of docs/performance.md). The answer is the endpoint's
/// problem+json, prebuilt but for its traceId.
/// </summary>
internal sealed class AdmissionShedding(RequestDelegate next, AdmissionRateLimit limit)
{
    private static readonly byte[] Head = Encoding.UTF8.GetBytes(
        $$"""{"type":"{{Problems.TypeBase}}too-many-requests","title":"Too many requests.","status":429,"detail":"The sale is taking more requests than it can answer; try again after Retry-After seconds.","traceId":" """.TrimEnd());

    private static readonly byte[] Tail = "\"}"u8.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        if (!IsAdmission(context.Request))
        {
            await next(context);
            return;
        }
        using var lease = limit.Acquire();
        if (lease.IsAcquired)
        {
            await next(context); // the lease is held until the answer is written: the in-flight cap counts it
            return;
        }
        FlashSaleMetrics.Admission("shed");
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = AdmissionRateLimit.RetryAfterSeconds(lease);
        response.ContentType = "application/problem+json";
        // As ProblemDetails' defaults: the request's activity, else its trace identifier.
        var traceId = Activity.Current?.Id ?? context.TraceIdentifier;
        var length = Head.Length + Encoding.ASCII.GetByteCount(traceId) + Tail.Length;
        response.ContentLength = length;
        var body = response.BodyWriter;
        var span = body.GetSpan(length);
        Head.CopyTo(span);
        var written = Head.Length + Encoding.ASCII.GetBytes(traceId, span[Head.Length..]);
        Tail.CopyTo(span[written..]);
        body.Advance(length);
        await body.FlushAsync(context.RequestAborted);
    }

    /// <summary>POST /api/flash-sales/{saleId}/orders, as routing matches it (any case, a trailing slash or not).</summary>
    private static bool IsAdmission(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !request.Path.StartsWithSegments("/api/flash-sales", StringComparison.OrdinalIgnoreCase, out var rest))
        {
            return false;
        }
        var tail = rest.Value.AsSpan().TrimEnd('/'); // "/{saleId}/orders"
        var slash = tail.Length > 1 ? tail[1..].IndexOf('/') : -1;
        return slash > 0 && tail[(slash + 1)..].Equals("/orders", StringComparison.OrdinalIgnoreCase);
    }
}
