using System.Diagnostics;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>Real outages: stops and starts the local servers through scripts/servers.sh.</summary>
internal static class Servers
{
    public static Task StopBrokerAsync() => RunAsync("rabbit-stop-app");

    public static Task StartBrokerAsync() => RunAsync("rabbit-start-app");

    public static Task StopDatabaseAsync() => RunAsync("db-stop");

    public static Task StartDatabaseAsync() => RunAsync("db-start");

    /// <summary>The local 3-node RabbitMQ cluster of scripts/rabbit-cluster.sh.</summary>
    public static Task ClusterAsync(string command, params string[] arguments) => RunAsync([command, .. arguments], "rabbit-cluster.sh");

    private static Task RunAsync(string command) => RunAsync([command], "servers.sh");

    /// <summary>Runs scripts/<paramref name="scriptName"/> with these arguments (and environment), failing with its output.</summary>
    public static async Task RunAsync(string[] arguments, string scriptName, params (string Name, string Value)[] environment)
    {
        var command = string.Join(' ', arguments);
        var script = Path.Combine(TestSettings.RepoRoot, "scripts", scriptName);
        var start = new ProcessStartInfo("bash", [script, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            // Not left running: it would hold the script's lock against the next call.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{scriptName} {command} took over 3 minutes: {await output}{await error}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{scriptName} {command} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
