using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// The host as a real OS process (the Release build of Host), configured through environment variables, so a test can
/// SIGKILL it mid-work or run two of them side by side. Its output goes to .local/test-results/host-*.log.
/// </summary>
internal sealed class HostProcess(string name, IReadOnlyDictionary<string, string> settings) : IAsyncDisposable
{
    private static readonly string LogDirectory = Path.Combine(TestSettings.RepoRoot, ".local", "test-results");

    private static readonly string Configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    private Process? _process;
    private int _starts;

    public int Port { get; } = FreePort();

    public Api Api { get; } = new(new HttpClient { Timeout = TimeSpan.FromSeconds(30) });

    public async Task StartAsync()
    {
        var dll = Path.Combine(TestSettings.RepoRoot, "Host", "bin", Configuration, "net10.0", "OrderSystem.Host.dll");
        Directory.CreateDirectory(LogDirectory);
        _starts++;
        var log = LogPath;
        // exec: the PID we hold is dotnet itself, so Kill() really is a SIGKILL of the host.
        var start = new ProcessStartInfo("bash", ["-c", "exec dotnet \"$0\" --urls \"$1\" >\"$2\" 2>&1", dll, BaseUrl, log])
        {
            WorkingDirectory = TestSettings.RepoRoot,
            UseShellExecute = false,
        };
        // The provider's refund webhooks come back to this host (a test may point them elsewhere).
        start.Environment["Refunds__WebhookUrl"] = BaseUrl + "/api/payments/refund-webhook";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        _process = Process.Start(start)!;
        Api.Http.BaseAddress ??= new Uri(BaseUrl);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"host {name} exited with {_process.ExitCode} while starting; see {log}");
            }
            try
            {
                using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                if ((await probe.GetAsync(BaseUrl + "/health/live")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"host {name} did not answer /health/live within 90 s; see {log}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Until /health/ready answers 200: the database answers and MassTransit reports every receive endpoint connected.
    /// /health/live answers as soon as Kestrel listens, while the bus may still be connecting.
    /// </summary>
    public Task WaitUntilReadyAsync(TimeSpan timeout) =>
        Eventually.Until(() => Api.GetAsync("/health/ready"), r => r.Status == HttpStatusCode.OK, timeout,
            $"host {name} to be ready", DescribeAsync);

    /// <summary>For failure messages: the process, its readiness and the end of its log.</summary>
    public async Task<string> DescribeAsync()
    {
        var ready = "";
        if (_process is { HasExited: false })
        {
            try
            {
                ready = "; /health/ready: " + await Api.GetAsync("/health/ready");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                ready = "; /health/ready: " + e.Message;
            }
        }
        var tail = File.Exists(LogPath) ? string.Join("\n  ", File.ReadLines(LogPath).TakeLast(15)) : "(no log)";
        return $"{State}{ready}\n  log: {tail}";
    }

    /// <summary>kill -9: no graceful shutdown, no flushing, whatever was in flight is cut off.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Api.Http.Dispose();
    }

    /// <summary>For failure messages: is the process still there, and if not, how did it end.</summary>
    public string State => _process is null ? $"{name}: never started"
        : _process.HasExited ? $"{name}: exited with {_process.ExitCode} (see {LogPath})" : $"{name}: running on port {Port}";

    private string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The log of the latest start.</summary>
    private string LogPath => Path.Combine(LogDirectory, $"host-{name}-{_starts}.log");

    // The OS may hand a released port out again; two hosts on one port would both "start" on the first one's answers.
    private static readonly HashSet<int> PortsHandedOut = [];

    private static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (PortsHandedOut)
            {
                if (PortsHandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
