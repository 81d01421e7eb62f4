using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OrderSystem.Bench.Hosting;

/// <summary>
/// The real product host (Host/OrderSystem.Host.dll) as a child process, with the scenario's simulation costs in its
/// environment, so its CPU time and peak memory can be read apart from the load generator's.
/// </summary>
internal sealed partial class ProductHost : IMeasuredProcess, IAsyncDisposable
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
        var start = new ProcessStartInfo("dotnet", [options.HostDll])
        {
            WorkingDirectory = options.RepoRoot, // the host reads appsettings.json from its working directory
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Port 0: the host binds a port the OS picks and says which. A port picked here and bound by the host a second
        // later could be taken in between (the OS hands the same range out to outgoing connections).
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
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
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host.");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (log)
            {
                log.WriteLine(e.Data);
            }
            if (ListeningOn().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(match.Groups[1].Value);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with code {process.ExitCode}; see {logPath}.");
            }
            if (listening.Task.IsCompleted && await IsLiveAsync(listening.Task.Result, ct))
            {
                return new ProductHost(process, log, listening.Task.Result);
            }
            if (DateTime.UtcNow > deadline)
            {
                await StopAsync(process, log);
                throw new TimeoutException($"The host did not answer /health/live within 90 s; see {logPath}.");
            }
            await Task.Delay(200, ct);
        }
    }

    private static async Task<bool> IsLiveAsync(string url, CancellationToken ct)
    {
        using var probe = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            return (await probe.GetAsync("health/live", ct)).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false; // not answering yet
        }
    }

    /// <summary>ASP.NET Core's start-up line, in the host's JSON log: <c>"Message":"Now listening on: http://127.0.0.1:41234"</c>.</summary>
    [GeneratedRegex(@"Now listening on: (http://[0-9.]+:[0-9]+)")]
    private static partial Regex ListeningOn();

    public ProcessSample Sample()
    {
        _process.Refresh();
        return new ProcessSample(_process.TotalProcessorTime, _process.PeakWorkingSet64);
    }

    public async ValueTask DisposeAsync() => await StopAsync(_process, _log);

    private static async Task StopAsync(Process process, StreamWriter log)
    {
        if (!process.HasExited)
        {
            // SIGTERM: a graceful stop, as in production; SIGKILL only when it hangs.
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }
}
