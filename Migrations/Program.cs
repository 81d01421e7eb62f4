using Microsoft.Extensions.Configuration;

namespace OrderSystem.Migrations;

/// <summary>
/// Creates the databases when missing and applies every pending migration, each module's to the database its
/// connection names. Settings come from ./appsettings.json, then environment variables (ConnectionStrings__OrderSystem,
/// ConnectionStrings__Points, ...), then arguments.
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
        DatabaseMigrator.MigrateUp(configuration);
        Console.WriteLine("Migrations applied.");
    }
}
