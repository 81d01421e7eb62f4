using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.BuildingBlocks.Outbox;

public static class OutboxRegistration
{
    /// <summary>A relay (a hosted service) for the outbox of every module this process runs; add it after the modules.</summary>
    public static IHostApplicationBuilder AddOutboxRelays(this IHostApplicationBuilder builder)
    {
        var catalog = ModuleCatalog.Of(builder);
        catalog.Close(nameof(AddOutboxRelays) + "()");
        foreach (var module in catalog.Enabled.Where(m => m.Outbox is not null))
        {
            builder.Services.AddSingleton<IHostedService>(sp =>
            {
                var store = sp.GetServices<ModuleStore>().Single(s => s.Declaration == module);
                return ActivatorUtilities.CreateInstance<OutboxRelay>(sp, store.Outbox, store.Db);
            });
        }
        return builder;
    }
}
