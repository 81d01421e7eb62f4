using FluentMigrator.Runner;
using FluentMigrator.Runner.Initialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace OrderSystem.Migrations;

/// <summary>
/// Applies the migrations. Each module's migrations live in its own folder and namespace (OrderSystem.Migrations.&lt;Module&gt;)
/// and go to the database that module's connection names: ConnectionStrings:&lt;Module&gt;, else ConnectionStrings:OrderSystem.
/// </summary>
public static class DatabaseMigrator
{
    public const string SharedConnectionName = "OrderSystem";

    /// <summary>The modules that have migrations, named after their folders.</summary>
    public static IReadOnlyList<string> Modules { get; } = [.. typeof(DatabaseMigrator).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(FluentMigrator.Migration)))
        .Select(t => t.Namespace!["OrderSystem.Migrations.".Length..]).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Every module's migrations, each in the database its connection names.</summary>
    public static void MigrateUp(IConfiguration configuration)
    {
        foreach (var module in Modules)
        {
            var connectionString = configuration.GetConnectionString(module) is { Length: > 0 } own
                ? own
                : configuration.GetConnectionString(SharedConnectionName)
                  ?? throw new InvalidOperationException($"Neither ConnectionStrings:{module} nor ConnectionStrings:{SharedConnectionName} is configured.");
            MigrateUp(connectionString, module);
        }
    }

    /// <summary>Every module's migrations into one database.</summary>
    public static void MigrateUp(string connectionString)
    {
        foreach (var module in Modules)
        {
            MigrateUp(connectionString, module);
        }
    }

    /// <summary>One module's migrations; the database's VersionInfo records them beside any other module's.</summary>
    public static void MigrateUp(string connectionString, string module)
    {
        CreateDatabaseIfMissing(connectionString);
        using var services = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(runner => runner
                .AddMySql5()
                .WithGlobalConnectionString(connectionString)
                .ScanIn(typeof(DatabaseMigrator).Assembly).For.Migrations())
            .Configure<TypeFilterOptions>(filter =>
            {
                filter.Namespace = "OrderSystem.Migrations." + module;
                filter.NestedNamespaces = false;
            })
            .BuildServiceProvider(false);
        services.GetRequiredService<IMigrationRunner>().MigrateUp();
    }

    private static void CreateDatabaseIfMissing(string connectionString)
    {
        var target = new MySqlConnectionStringBuilder(connectionString);
        var database = target.Database;
        if (string.IsNullOrEmpty(database) || database.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')))
        {
            throw new InvalidOperationException($"The database name '{database}' must be letters, digits and underscores.");
        }
        var server = new MySqlConnectionStringBuilder(connectionString) { Database = "" };
        using var connection = new MySqlConnection(server.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        // A database name cannot be a parameter; it was checked above to be a plain identifier.
        command.CommandText = $"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
        command.ExecuteNonQuery();
    }
}
