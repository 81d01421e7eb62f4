using System.Diagnostics;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Feed;

/// <summary>
/// The reference consumer as a real OS process (the Release build of tools/OrderSystem.Analytics), so a test can SIGKILL
/// it mid-batch. Each start logs to .local/test-results/analytics-&lt;name&gt;-&lt;n&gt;.log.
/// </summary>
internal sealed class AnalyticsProcess(string name, string connectionString, Uri feed) : IAsyncDisposable
{
    private static readonly string LogDirectory = Path.Combine(TestSettings.RepoRoot, ".local", "test-results");

    private static readonly string Configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    private Process? _process;

    public int Starts { get; private set; }

    public string LogPath => Path.Combine(LogDirectory, $"analytics-{name}-{Starts}.log");

    /// <summary>Starts it; with <paramref name="stopWhenIdle"/> it exits by itself once the feed has nothing new for that long.</summary>
    public void Start(TimeSpan? stopWhenIdle = null)
    {
        var dll = Path.Combine(TestSettings.RepoRoot, "tools", "OrderSystem.Analytics", "bin", Configuration, "net10.0", "OrderSystem.Analytics.dll");
        Directory.CreateDirectory(LogDirectory);
        Starts++;
        List<string> args = ["-c", "exec dotnet \"$0\" run \"$1\" \"$2\" \"$3\" \"$4\" >\"$5\" 2>&1", dll, connectionString, feed.ToString()];
        string[] idleArgs = stopWhenIdle is { } idle
            ? ["--stop-when-idle-ms", ((int)idle.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture)]
            : ["", ""];
        args.AddRange(idleArgs);
        args.Add(LogPath);
        // exec: the PID we hold is dotnet itself, so Kill() is a SIGKILL of the consumer.
        _process = Process.Start(new ProcessStartInfo("bash", args) { WorkingDirectory = TestSettings.RepoRoot, UseShellExecute = false })!;
    }

    /// <summary>Until this start has attached to the stream (it says so in its log), or <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitUntilReadingAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !HasExited)
        {
            if (File.Exists(LogPath) && (await File.ReadAllTextAsync(LogPath)).Contains("reading the feed", StringComparison.Ordinal))
            {
                return true;
            }
            await Task.Delay(10);
        }
        return false;
    }

    /// <summary>kill -9: no graceful shutdown; whatever batch was in flight is cut off.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Waits for a run started with stopWhenIdle to end; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process!.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public bool HasExited => _process is { HasExited: true };

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
