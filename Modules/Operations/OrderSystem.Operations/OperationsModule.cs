using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.Operations;

/// <summary>
/// The operator's tools over the modules this process runs, under /api/admin: outbox rows, dead letters,
/// reconciliation and retention. It owns no tables and no queue (it reads the modules' declarations), so it runs in
/// every process, whatever <c>Modules:Enabled</c> says.
/// </summary>
public static class OperationsModule
{
    public const string Name = "Operations";

    /// <summary>Registers the tools, and retention's hourly pass (a hosted service).</summary>
    public static IHostApplicationBuilder AddOperationsModule(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection("Retention"));
        builder.Services.Configure<ReconciliationOptions>(builder.Configuration.GetSection("Reconciliation"));
        builder.Services.AddSingleton<MessageRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MessageRetention>());
        builder.Services.AddSingleton<DeadLetters>();
        return builder;
    }

    public static IEndpointRouteBuilder MapOperationsEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapAdminGroup("").WithTags(Name).ProducesProblem(StatusCodes.Status401Unauthorized);
        admin.MapGet("/outbox", ListOutbox.Handle)
            .Produces<ListOutbox.Response>().ProducesValidationProblem().ProducesDatabaseProblems();
        admin.MapPost("/outbox/{messageId}/retry", RetryOutboxMessage.Handle)
            .Produces<RetryOutboxMessage.Response>(StatusCodes.Status202Accepted).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesDatabaseProblems();
        admin.MapGet("/reconciliation", RunReconciliation.Handle)
            .Produces<RunReconciliation.Response>().ProducesValidationProblem().ProducesDatabaseProblems();
        admin.MapPost("/retention/run", MessageRetention.Handle)
            .Produces<IReadOnlyList<MessageRetention.Result>>().ProducesDatabaseProblems();
        admin.MapGet("/dead-letters", DeadLetterEndpoints.List)
            .Produces<IReadOnlyList<DeadLetters.Queue>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/dead-letters/{module}/replay", DeadLetterEndpoints.Replay)
            .Produces<DeadLetterEndpoints.ReplayResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
