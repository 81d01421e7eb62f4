using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Database;

namespace OrderSystem.BuildingBlocks.Http;

/// <summary>A database that cannot be reached is an outage, not a bug: answer 503 so clients retry later.</summary>
public sealed class DatabaseUnavailableHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken ct)
    {
        if (!DatabaseOutage.Is(exception))
        {
            return false;
        }
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "5";
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = Problems.TypeBase + "service-unavailable",
                Title = "The database is unavailable.",
                // Not "nothing was changed": the server may die after a commit arrived but before its answer did.
                // A payment callback is idempotent, so the provider's retry is safe either way.
                Detail = "The database could not be reached. Retry later; a repeated payment callback is safe.",
            },
        });
    }
}
