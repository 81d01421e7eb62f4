using System.Diagnostics;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Bench;

/// <summary>
/// The benchmark tool end to end, tiny: every scenario runs with a few hundred orders and short durations against its own
/// database and virtual host, and must leave a complete report. Numbers are not asserted: this only keeps the tool working.
/// </summary>
[Category("Slow")]
public sealed class BenchmarkSmokeTests
{
    [Test]
    public async Task The_benchmark_runs_every_scenario_and_writes_a_complete_report()
    {
        var output = Path.Combine(Path.GetTempPath(), "ordersystem-bench-smoke-" + Guid.NewGuid().ToString("N")[..8]);
        var (exitCode, log) = await RunBenchmarkAsync(output,
            "--scenarios", "sync,outbox,limits", "--database", "ordersystem_bench_smoke", "--vhost", "ordersystem-bench-smoke",
            "--orders", "200", "--sync-orders", "40", "--warmup", "10", "--concurrency", "8", "--duration", "3", "--skus", "20",
            "--relay-messages", "200", "--broker-messages", "400", "--lag-rate", "20",
            "--points-ms", "1", "--coupon-ms", "1", "--sms-ms", "2", "--logistics-ms", "5", "--sms-spike-ms", "20", "--logistics-spike-ms", "20");

        Assert.That(exitCode, Is.Zero, () => WhatWentWrong(exitCode, log));
        var run = Directory.GetDirectories(output).Single();
        var report = await File.ReadAllTextAsync(Path.Combine(run, "report.md"));
        Assert.That(report, Does.Contain("## Machine and settings")
            .And.Contain("## Payment latency and throughput")
            .And.Contain("## End-to-end fulfillment lag")
            .And.Contain("## Outbox relay and broker")
            .And.Contain("## Ratios and targets")
            .And.Contain("![Payment latency by percentile](latency.svg)"), report);
        foreach (var row in new[] { "| sync-spikes-on |", "| sync-spikes-off |", "| outbox-spikes-on |", "| outbox-spikes-off |",
                     "| outbox-costs-zero |", "| lag-costs-zero |", "| outbox-c64-spikes-on |", "| payment-path-only |", "| bare-transaction |", "| product-transaction |", "| http-floor |",
                     "| relay drain", "| raw broker" })
        {
            Assert.That(report, Does.Contain(row), report);
        }
        Assert.That(await File.ReadAllTextAsync(Path.Combine(run, "latency.svg")), Does.StartWith("<svg").And.Contain("<polyline"));
        Directory.Delete(output, recursive: true);
    }

    /// <summary>The exception's line first: a CI log shows only a failed test's first line.</summary>
    private static string WhatWentWrong(int exitCode, string log)
    {
        var error = log.Split('\n').FirstOrDefault(line => line.Contains("Exception:", StringComparison.Ordinal))?.Trim()
            ?? "no exception was printed";
        return $"the benchmark exited with {exitCode}: {error}\n{log}";
    }

    private static async Task<(int ExitCode, string Log)> RunBenchmarkAsync(string output, params string[] args)
    {
        // Built in the same configuration as this test project (the project reference makes sure it is built).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(TestSettings.RepoRoot, "bench", "OrderSystem.Bench", "bin", configuration, "net10.0", "OrderSystem.Bench.dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} is not built");
        var start = new ProcessStartInfo("dotnet", [dll, "--out", output, .. args])
        {
            WorkingDirectory = TestSettings.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(170));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stderr + await stdout);
    }
}
