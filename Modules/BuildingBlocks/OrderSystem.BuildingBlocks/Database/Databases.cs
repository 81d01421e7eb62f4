using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.BuildingBlocks.Database;

/// <summary>
/// One connection pool per connection string: modules that share a database share a pool, so a process holds at most
/// <c>Maximum Pool Size</c> connections per database server however many modules it runs.
/// </summary>
public sealed class Databases(IConfiguration configuration)
{
    public const string SharedConnectionName = "OrderSystem";

    private readonly ConcurrentDictionary<string, Db> _byConnectionString = new(StringComparer.Ordinal);

    public Db For(ModuleDeclaration module) =>
        _byConnectionString.GetOrAdd(ConnectionStringOf(configuration, module), connectionString => Db.Create(connectionString));

    internal static string ConnectionStringOf(IConfiguration configuration, ModuleDeclaration module) =>
        configuration.GetConnectionString(module.ConnectionName) is { Length: > 0 } own
            ? own
            : configuration.GetConnectionString(SharedConnectionName)
              ?? throw new InvalidOperationException($"Neither ConnectionStrings:{module.ConnectionName} nor ConnectionStrings:{SharedConnectionName} is configured.");
}
