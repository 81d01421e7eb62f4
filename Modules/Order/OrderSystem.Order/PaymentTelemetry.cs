using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging.Yielding;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.Order;

/// <summary>
/// Counts and times every payment callback by outcome, and logs its answer with the order id. It reads only the
/// answer already built, so the payment path gets no extra I/O. Never logs the body or the signature.
/// </summary>
internal sealed partial class PaymentTelemetry(ILogger<PaymentTelemetry> logger, LoadPressure pressure) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var orderId = context.HttpContext.Request.RouteValues["orderId"] as string;
        Activity.Current?.SetTag("order.id", orderId);
        using var scope = logger.BeginScope(new LogScope(("OrderId", orderId)));
        var outcome = "error"; // an exception: the database unavailable (503) or a bug (500)
        try
        {
            var result = await next(context);
            outcome = OutcomeOf(result);
            return result;
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            PaymentMetrics.Answered(outcome, elapsed);
            pressure.Record(elapsed); // the fulfilling modules yield while payments slow down
            LogAnswered(orderId, outcome, elapsed.TotalMilliseconds);
        }
    }

    /// <summary>"paid" for a 200 (a replayed callback included), else the problem type that clients switch on.</summary>
    private static string OutcomeOf(object? result) => result switch
    {
        ProblemHttpResult problem => ProblemType(problem.ProblemDetails.Type, problem.StatusCode),
        ValidationProblem problem => ProblemType(problem.ProblemDetails.Type, problem.StatusCode),
        IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK } => "paid",
        IStatusCodeHttpResult answer => answer.StatusCode?.ToString() ?? "unknown",
        _ => "unknown",
    };

    private static string ProblemType(string? type, int status) =>
        type is not null && type.StartsWith(Problems.TypeBase, StringComparison.Ordinal) ? type[Problems.TypeBase.Length..] : status.ToString();

    [LoggerMessage(LogLevel.Information, "Payment callback for order {OrderId} answered {Outcome} in {ElapsedMs:0.0} ms")]
    private partial void LogAnswered(string? orderId, string outcome, double elapsedMs);
}
