using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrderSystem.Bench.Hosting;

/// <summary>
/// The real product host (Host/OrderSystem.Host.dll) as a child process, with the scenario's simulation costs in its
/// environment, so its CPU time and peak memory can be read apart from the load generator's.
/// </summary>
internal sealed class ProductHost : IMeasuredProcess, IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ProductHost(Process process, StreamWriter log, string url)
    {
        (_process, _log, Url) = (process, log, url);
    }

    public string Url { get; }

    public string Description => $"product host process (pid {_process.Id})";

    public static async Task<ProductHost> StartAsync(
        BenchOptions options, IEnumerable<KeyValuePair<string, string>> settings, string logPath, CancellationToken ct)
    {
        if (!File.Exists(options.HostDll))
        {
            throw new FileNotFoundException($"The host is not built: {options.HostDll} (build the solution, or pass --host-dll).");
        }
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", [options.HostDll])
        {
            WorkingDirectory = options.RepoRoot, // the host reads appsettings.json from its working directory
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = url;
        start.Environment["ConnectionStrings__OrderSystem"] = options.ConnectionString;
        start.Environment["RabbitMq__VirtualHost"] = options.VirtualHost;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The feed's sequencer logs what its passes cost every few seconds: the feed runs' host logs then say where its time goes.
        start.Environment["Logging__LogLevel__OrderSystem.Feed.FeedSequencer"] = "Information";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new ProductHost(process, log, url);

        using var probe = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with code {process.ExitCode}; see {logPath}.");
            }
            try
            {
                if ((await probe.GetAsync("health/live", ct)).IsSuccessStatusCode)
                {
                    return host;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > deadline)
            {
                await host.DisposeAsync();
                throw new TimeoutException($"The host did not answer /health/live within 90 s; see {logPath}.");
            }
            await Task.Delay(200, ct);
        }
    }

    public ProcessSample Sample()
    {
        _process.Refresh();
        return new ProcessSample(_process.TotalProcessorTime, _process.PeakWorkingSet64);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: a graceful stop, as in production; SIGKILL only when it hangs.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
