using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Points.Contracts;

namespace OrderSystem.Points;

/// <summary>Points owns buyers' loyalty points (tables prefixed points_).</summary>
public static class PointsModule
{
    public static readonly ModuleDeclaration Declaration = new("Points")
    {
        Queue = "points", Inbox = "points_inbox", Outbox = new("points_outbox", typeof(PointsGranted), typeof(PointsTakenBack)),
        EffectTable = "points_entries", ReportedStep = "points",
    };

    public static IHostApplicationBuilder AddPointsModule(this IHostApplicationBuilder builder)
    {
        if (builder.AddModule<ModuleTag>(Declaration))
        {
            builder.AddConsumers(bus =>
            {
                bus.AddConsumer<GrantPointsOnOrderPaid, GrantPointsOnOrderPaidDefinition>();
                bus.AddConsumer<TakeBackPointsOnOrderCancelled, TakeBackPointsOnOrderCancelledDefinition>();
            });
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapPointsEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.IsModuleEnabled(Declaration))
        {
            app.MapGet("/api/users/{userId}/points", GetPoints.Handle).WithTags(Declaration.Name)
                .Produces<GetPoints.Response>().ProducesValidationProblem().ProducesDatabaseProblems();
        }
        return app;
    }
}
