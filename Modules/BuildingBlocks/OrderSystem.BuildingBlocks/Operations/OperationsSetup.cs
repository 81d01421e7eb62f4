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
        var admin = app.MapAdminGroup("").WithTags("Operations");
        admin.MapGet("/outbox", ListOutbox.Handle);
        admin.MapPost("/outbox/{messageId}/retry", RetryOutboxMessage.Handle);
        admin.MapGet("/reconciliation", RunReconciliation.Handle);
        admin.MapPost("/retention/run", MessageRetention.Handle);
        admin.MapGet("/dead-letters", DeadLetterEndpoints.List);
        admin.MapPost("/dead-letters/{module}/replay", DeadLetterEndpoints.Replay);
        return app;
    }
}
