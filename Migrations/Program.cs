using Microsoft.Extensions.Configuration;

namespace OrderSystem.Migrations;

/// <summary>
/// Creates the database when missing and applies every pending migration. Settings come from ./appsettings.json,
/// then environment variables (ConnectionStrings__OrderSystem), then arguments.
/// </summary>
internal static class MigrateCommand
{
    public static void Main(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var connectionString = configuration.GetConnectionString("OrderSystem")
            ?? throw new InvalidOperationException("ConnectionStrings:OrderSystem is not configured.");

        DatabaseMigrator.MigrateUp(connectionString);
        Console.WriteLine("Migrations applied.");
    }
}
