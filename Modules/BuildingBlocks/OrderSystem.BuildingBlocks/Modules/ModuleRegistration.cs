using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Outbox;

namespace OrderSystem.BuildingBlocks.Modules;

public static class ModuleRegistration
{
    /// <summary>
    /// Declares a module to the host. When <c>Modules:Enabled</c> runs it here, registers its
    /// <see cref="ModuleStore{TModule}"/> and returns true: the caller then adds the module's own services.
    /// </summary>
    public static bool AddModule<TModule>(this IHostApplicationBuilder builder, ModuleDeclaration declaration)
    {
        var catalog = ModuleCatalog.Of(builder);
        catalog.Declare(declaration);
        AddKernel(builder);
        if (!catalog.IsEnabled(declaration))
        {
            return false;
        }
        builder.Services.AddSingleton(sp => new ModuleStore<TModule>(declaration, sp.GetRequiredService<Databases>().For(declaration)));
        builder.Services.AddSingleton<ModuleStore>(sp => sp.GetRequiredService<ModuleStore<TModule>>());
        return true;
    }

    /// <summary>Where endpoints are mapped: whether this process runs the module.</summary>
    public static bool IsModuleEnabled(this IEndpointRouteBuilder app, ModuleDeclaration module) =>
        app.ServiceProvider.GetRequiredService<ModuleCatalog>().IsEnabled(module);

    /// <summary>The connection string a module's tables live behind.</summary>
    public static string ConnectionStringOf(this IConfiguration configuration, ModuleDeclaration module) =>
        Databases.ConnectionStringOf(configuration, module);

    private static void AddKernel(IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(Databases)))
        {
            return;
        }
        builder.Services.AddSingleton<Databases>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OutboxMessageTypes>();
        builder.Services.Configure<OutboxOptions>(builder.Configuration.GetSection("Outbox"));
    }
}
