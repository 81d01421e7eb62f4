using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace OrderSystem.BuildingBlocks.Modules;

/// <summary>Reads <c>Modules:Enabled</c>: which modules this process runs (all of them when unset).</summary>
public static class ModuleSwitch
{
    public static readonly IReadOnlyList<string> AllModules = ["Order", "Inventory", "Points", "Marketing", "Push", "Warehouse"];

    public static bool IsModuleEnabled(this IConfiguration configuration, string module) =>
        EnabledModules(configuration).Contains(module, StringComparer.OrdinalIgnoreCase);

    /// <summary>The same check where endpoints are mapped.</summary>
    public static bool IsModuleEnabled(this IEndpointRouteBuilder app, string module) =>
        app.ServiceProvider.GetRequiredService<IConfiguration>().IsModuleEnabled(module);

    public static IReadOnlyList<string> EnabledModules(IConfiguration configuration)
    {
        var section = configuration.GetSection("Modules:Enabled");
        // A comma-separated string overrides cleanly from an environment variable; an array does not
        // (.NET merges array indexes across sources), so both forms are accepted.
        var names = section.Value is { } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.Get<string[]>() ?? [.. AllModules];
        var unknown = names.Where(n => !AllModules.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"Modules:Enabled names unknown modules: {string.Join(", ", unknown)}. Known: {string.Join(", ", AllModules)}.");
        }
        return names;
    }
}
