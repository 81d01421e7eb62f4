using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Operations.Contracts;
using OrderSystem.Refunds.Contracts;
using OrderSystem.ThirdParties;

namespace OrderSystem.Refunds;

/// <summary>
/// Refunds owns the refund state machine and the money checks (tables prefixed refunds_). Order creates refunds inside its
/// own transactions through <see cref="IRefundRequests"/>, so the two share a process and a database.
/// </summary>
public static class RefundsModule
{
    /// <summary>No queue: refunds arrive through the port; the inbox holds the provider's webhooks.</summary>
    public static readonly ModuleDeclaration Declaration = new("Refunds")
    {
        Inbox = "refunds_inbox", Outbox = new("refunds_outbox", typeof(RefundChanged)),
    };

    public static IHostApplicationBuilder AddRefundsModule(this IHostApplicationBuilder builder)
    {
        if (!builder.AddModule<ModuleTag>(Declaration))
        {
            return builder;
        }
        builder.Services.AddOptions<RefundOptions>().Bind(builder.Configuration.GetSection("Refunds"))
            .Validate(o => o.PollMs > 0 && o.QueryIntervalMs > 0 && o.LeaseMs >= 1000 && o.BatchSize is > 0 and <= 500,
                "Refunds: PollMs and QueryIntervalMs positive, LeaseMs at least 1000, BatchSize 1-500.")
            .ValidateOnStart();
        builder.AddThirdParty(PaymentProvider.Party, PaymentProvider.Resilience);
        builder.Services.TryAddSingleton<PaymentSignature>();
        builder.Services.AddSingleton<IRefundRequests, RefundRequests>();
        builder.Services.AddSingleton<RefundTransitions>();
        builder.Services.AddSingleton<ProviderOutcomes>();
        builder.Services.AddSingleton<PaymentProvider>();
        builder.Services.AddSingleton<IReconciliationAudit, AuditRefunds>();
        builder.Services.AddSingleton<IRefundOperations, RefundOperations>(); // the operator console's port
        builder.Services.AddHostedService<RefundProcessor>();
        return builder;
    }

    public static IEndpointRouteBuilder MapRefundsEndpoints(this IEndpointRouteBuilder app)
    {
        if (!app.IsModuleEnabled(Declaration))
        {
            return app;
        }
        app.MapPost("/api/payments/refund-webhook", RefundWebhook.Handle).WithTags(Declaration.Name)
            .WithRequiredHeader("X-Signature", "sha256=<lowercase hex HMAC-SHA256 of the raw body with Payments:CallbackSecret>.")
            .AcceptsJson<RefundWebhook.Request>().Produces<RefundWebhook.Response>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesDatabaseProblems();
        var admin = app.MapAdminGroup("/refunds").WithTags(Declaration.Name).ProducesProblem(StatusCodes.Status401Unauthorized);
        admin.MapGet("", RefundAdmin.List).Produces<List<RefundAdmin.Refund>>().ProducesValidationProblem().ProducesDatabaseProblems();
        admin.MapPost("/{refundId}/retry", RefundAdmin.Retry).Produces<RefundAdmin.Refund>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesDatabaseProblems();
        admin.MapPost("/{refundId}/reissue", RefundAdmin.Reissue).Produces<RefundAdmin.Refund>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesDatabaseProblems();
        admin.MapPost("/{refundId}/resolve", RefundAdmin.Resolve).AcceptsJson<RefundAdmin.ResolveRequest>().Produces<RefundAdmin.Refund>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesDatabaseProblems();
        return app;
    }
}
