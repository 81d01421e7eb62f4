using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Operations;

/// <summary>
/// The operator's tools over the modules this process runs, under /api/admin: outbox rows, dead letters,
/// reconciliation and retention; and the operator console at /ops (OrderSystem.Operations.Console). It owns no queue
/// (it reads the modules' declarations), so it runs in every process, whatever <c>Modules:Enabled</c> says. Its one
/// table, the console's audit log, is declared here so that the table's prefix has an owner.
/// </summary>
public static class OperationsModule
{
    public const string Name = "Operations";

    /// <summary>Not added to the catalog (it is not switched by <c>Modules:Enabled</c>): it names the prefix operations_.</summary>
    public static readonly ModuleDeclaration Declaration = new(Name);

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
        admin.MapPost("/dead-letters/{module}/{messageId}/replay", DeadLetterEndpoints.ReplayOne)
            .Produces<DeadLetterEndpoints.ReplayResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
