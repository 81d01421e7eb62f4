using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Operations;
using OrderSystem.BuildingBlocks.Outbox;

namespace OrderSystem.BuildingBlocks.Http;

public static class BuildingBlocksSetup
{
    /// <summary>What every module relies on: the database, the clock, problem+json errors and outbox settings.</summary>
    public static IHostApplicationBuilder AddBuildingBlocks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(_ => Db.CreateDataSource(builder.Configuration));
        builder.Services.AddSingleton<Db>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.Configure<OutboxOptions>(builder.Configuration.GetSection("Outbox"));
        builder.AddOperations();
        return builder;
    }

    public static WebApplication UseBuildingBlocks(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(); // gives bare 404/405 answers a problem+json body too
        return app;
    }
}
