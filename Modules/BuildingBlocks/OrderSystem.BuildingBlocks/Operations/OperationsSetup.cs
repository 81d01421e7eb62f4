using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.BuildingBlocks.Operations;

/// <summary>The operator's view of the messaging plumbing: outbox rows, dead letters, reconciliation and retention, under /api/admin.</summary>
public static class OperationsSetup
{
    internal static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection("Retention"));
        builder.Services.Configure<ReconciliationOptions>(builder.Configuration.GetSection("Reconciliation"));
        builder.Services.AddHostedService<MessageRetention>();
        builder.Services.AddSingleton<DeadLetters>();
        return builder;
    }

    /// <summary>A consuming module's duplicate-effect audit over its own effect table and outbox.</summary>
    public static IHostApplicationBuilder AddEffectAudit(this IHostApplicationBuilder builder, string module, string effectTable, string outboxTable)
    {
        builder.Services.AddSingleton<IReconciliationAudit>(sp => new EffectAudit(module, effectTable, outboxTable, sp.GetRequiredService<Db>()));
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminOperations(this IEndpointRouteBuilder app)
    {
        var admin = app.MapAdminGroup("").WithTags("Operations").ProducesProblem(StatusCodes.Status401Unauthorized);
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
