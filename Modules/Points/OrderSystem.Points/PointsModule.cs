using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Inbox;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Operations;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Points.Contracts;

namespace OrderSystem.Points;

/// <summary>Points owns buyers' loyalty points (tables prefixed points_).</summary>
public static class PointsModule
{
    public const string Name = "Points";

    internal static readonly InboxTable Inbox = new("points_inbox");

    public static IHostApplicationBuilder AddPointsModule(this IHostApplicationBuilder builder)
    {
        if (!builder.Configuration.IsModuleEnabled(Name))
        {
            return builder;
        }
        builder.AddOutbox<ModuleTag>("points_outbox", typeof(PointsGranted));
        builder.AddInbox(Inbox);
        builder.AddEffectAudit(Name, "points_entries", "points_outbox");
        builder.AddConsumers(bus => bus.AddConsumer<GrantPointsOnOrderPaid, GrantPointsOnOrderPaidDefinition>());
        return builder;
    }

    public static IEndpointRouteBuilder MapPointsEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.IsModuleEnabled(Name))
        {
            app.MapGet("/api/users/{userId}/points", GetPoints.Handle).WithTags(Name)
                .Produces<GetPoints.Response>().ProducesValidationProblem().ProducesDatabaseProblems();
        }
        return app;
    }
}
