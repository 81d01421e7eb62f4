using System.Diagnostics;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>Real outages: stops and starts the local servers through scripts/servers.sh.</summary>
internal static class Servers
{
    public static Task StopBrokerAsync() => RunAsync("rabbit-stop-app");

    public static Task StartBrokerAsync() => RunAsync("rabbit-start-app");

    public static Task StopDatabaseAsync() => RunAsync("db-stop");

    public static Task StartDatabaseAsync() => RunAsync("db-start");

    private static async Task RunAsync(string command)
    {
        var script = Path.Combine(TestSettings.RepoRoot, "scripts", "servers.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"servers.sh {command} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
