using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Feed.Contracts;
using OrderSystem.Feed.Retention;
using OrderSystem.Feed.Sequencing;

namespace OrderSystem.Feed;

/// <summary>
/// The order feed: every change of an order, sequenced once for the whole system and published to the RabbitMQ stream
/// orders.changelog (tables prefixed feed_). See docs/feed.md and decision 0014.
/// </summary>
public static class FeedModule
{
    /// <summary>No queue, outbox or inbox: it reads Order's changes through Order's port and writes the stream itself.</summary>
    public static readonly ModuleDeclaration Declaration = new("Feed");

    /// <summary>Add it after Order, whose change log it reads in process.</summary>
    public static IHostApplicationBuilder AddFeedModule(this IHostApplicationBuilder builder)
    {
        if (!builder.AddModule<ModuleTag>(Declaration))
        {
            return builder;
        }
        var order = ModuleCatalog.Of(builder).All.FirstOrDefault(m => m.Name == "Order");
        if (order is null || !ModuleCatalog.Of(builder).IsEnabled(order))
        {
            throw new InvalidOperationException("Feed reads Order's changes in process: enable Order with it, and add Order first.");
        }
        builder.Services.AddOptions<FeedOptions>().Bind(builder.Configuration.GetSection("Feed"))
            .Validate(o => o.MaxAgeHours > 0 && o.MaxBytes > 0 && o.SegmentBytes > 0 && o.PollMs > 0 && o.BatchSize is > 0 and <= 5000
                    && o.TrimIntervalMs > 0 && o.TrimBatchSize is > 0 and <= 100_000 && o.StateCacheSize > 0,
                "Feed: MaxAgeHours, MaxBytes, SegmentBytes, PollMs, TrimIntervalMs and StateCacheSize must be positive, BatchSize 1-5000, TrimBatchSize 1-100000.")
            .ValidateOnStart();
        builder.Services.Configure<RabbitMqOptions>(builder.Configuration.GetSection("RabbitMq"));
        builder.Services.AddSingleton(new FeedConnection(builder.Configuration.ConnectionStringOf(Declaration)));
        builder.Services.AddSingleton<SequenceChanges>();
        if (builder.Configuration.GetValue("Feed:Enabled", true))
        {
            builder.Services.AddHostedService<FeedSequencer>();
        }
        builder.Services.AddSingleton<IFeedOperations, FeedOperations>(); // the operator console's port
        builder.Services.AddSingleton<FeedTrimmer>();
        builder.Services.AddHostedService(s => s.GetRequiredService<FeedTrimmer>());
        return builder;
    }

    public static IEndpointRouteBuilder MapFeedEndpoints(this IEndpointRouteBuilder app)
    {
        if (!app.IsModuleEnabled(Declaration))
        {
            return app;
        }
        app.MapAdminGroup("/feed").WithTags(Declaration.Name)
            .MapGet("/snapshot", GetSnapshot.Handle)
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }
}
