using Microsoft.Extensions.Configuration;
using MySqlConnector;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// The servers come from the repository's appsettings.json (and environment overrides, as for the host), but tests use
/// a database and a RabbitMQ virtual host of their own, so a system started by ./run.sh is never disturbed.
/// </summary>
internal static class TestSettings
{
    public static readonly string RepoRoot = FindRepoRoot();

    public static readonly IConfiguration Configuration = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(RepoRoot, "appsettings.json"))
        .AddEnvironmentVariables()
        .Build();

    public static string ConnectionString(string database) =>
        new MySqlConnectionStringBuilder(Configuration.GetConnectionString("OrderSystem")!) { Database = database }.ConnectionString;

    /// <summary>
    /// A test system's name, with ORDERSYSTEM_TEST_SCOPE appended when set (letters and digits), so two test runs on one
    /// machine (two worktrees) never share a database or a virtual host.
    /// </summary>
    public static string Scoped(string name) =>
        Environment.GetEnvironmentVariable("ORDERSYSTEM_TEST_SCOPE") is { Length: > 0 } scope ? $"{name}_{scope}" : name;

    public static string CallbackSecret => Configuration["Payments:CallbackSecret"]!;

    public static string AdminKey => Configuration["Admin:ApiKey"]!;

    public static string RabbitUser => Configuration["RabbitMq:Username"]!;

    public static string RabbitPassword => Configuration["RabbitMq:Password"]!;

    /// <summary>The RabbitMQ management API, used to create virtual hosts and look at queues.</summary>
    public static string RabbitManagementUrl => Configuration["RabbitMq:ManagementUrl"] ?? "http://127.0.0.1:15682";

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrderSystem.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Could not find the repository root (OrderSystem.sln) above " + AppContext.BaseDirectory);
    }
}
