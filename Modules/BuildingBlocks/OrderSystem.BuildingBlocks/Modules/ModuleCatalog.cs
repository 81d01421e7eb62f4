using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace OrderSystem.BuildingBlocks.Modules;

/// <summary>
/// Every module the host was composed with (enabled here or not) and which of them run in this process
/// (<c>Modules:Enabled</c>, a comma-separated list; all of them when unset or empty). Closed by the first call that needs the whole list, such as
/// <c>AddMessaging()</c>: a module added after that would silently lack consumers or a relay, so it throws instead.
/// </summary>
public sealed class ModuleCatalog
{
    private const string PropertyKey = "OrderSystem.ModuleCatalog";

    private readonly List<ModuleDeclaration> _declared = [];
    private readonly IReadOnlyList<string>? _enabledNames;
    private string? _closedBy;

    private ModuleCatalog(IConfiguration configuration)
    {
        var section = configuration.GetSection("Modules:Enabled");
        // A comma-separated string overrides cleanly from an environment variable; an array does not
        // (.NET merges array indexes across sources), so both forms are accepted.
        _enabledNames = section.Value is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : section.Get<string[]>();
    }

    public IReadOnlyList<ModuleDeclaration> All => _declared;

    public IReadOnlyList<ModuleDeclaration> Enabled => [.. _declared.Where(IsEnabled)];

    public bool IsEnabled(ModuleDeclaration module) =>
        _enabledNames is null || _enabledNames.Contains(module.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The module consuming from <paramref name="queue"/>, enabled here or not.</summary>
    public ModuleDeclaration? ByQueue(string queue) => _declared.FirstOrDefault(m => m.Queue == queue);

    /// <summary>The host's catalog, created (and registered as a service) on first use.</summary>
    public static ModuleCatalog Of(IHostApplicationBuilder builder)
    {
        if (builder.Properties.TryGetValue(PropertyKey, out var existing))
        {
            return (ModuleCatalog)existing;
        }
        var catalog = new ModuleCatalog(builder.Configuration);
        builder.Properties[PropertyKey] = catalog;
        builder.Services.AddSingleton(catalog);
        return catalog;
    }

    internal void Declare(ModuleDeclaration module)
    {
        if (_closedBy is not null)
        {
            throw new InvalidOperationException($"Module {module.Name} is added after {_closedBy}, which needs every module: add modules before it.");
        }
        if (_declared.Any(m => m.Name.Equals(module.Name, StringComparison.OrdinalIgnoreCase) || (module.Queue is not null && m.Queue == module.Queue)))
        {
            throw new InvalidOperationException($"Module {module.Name} or its queue '{module.Queue}' is declared twice.");
        }
        module.Validate();
        _declared.Add(module);
    }

    /// <summary>No module may be added from now on; <c>Modules:Enabled</c> may name only declared modules.</summary>
    internal void Close(string closedBy)
    {
        _closedBy ??= closedBy;
        var unknown = (_enabledNames ?? []).Where(n => !_declared.Any(m => m.Name.Equals(n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"Modules:Enabled names unknown modules: {string.Join(", ", unknown)}. Known: {string.Join(", ", _declared.Select(m => m.Name))}.");
        }
    }
}
