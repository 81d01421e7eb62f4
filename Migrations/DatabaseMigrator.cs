using FluentMigrator.Runner;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace OrderSystem.Migrations;

public static class DatabaseMigrator
{
    public static void MigrateUp(string connectionString)
    {
        CreateDatabaseIfMissing(connectionString);
        using var services = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(runner => runner
                .AddMySql5()
                .WithGlobalConnectionString(connectionString)
                .ScanIn(typeof(DatabaseMigrator).Assembly).For.Migrations())
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
