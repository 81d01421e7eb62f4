using System.Globalization;
using System.Text;
using OrderSystem.Bench.Hosting;
using OrderSystem.Bench.Limits;

namespace OrderSystem.Bench.Report;

/// <summary>Everything measured in one invocation, written as report.md plus the latency chart beside it.</summary>
internal sealed class MarkdownReport(BenchOptions options, DateTime startedAt)
{
    public List<RunRecord> Runs { get; } = [];
    public RelayRecord? Relay { get; set; }
    /// <summary>The ceiling the payment rates are divided by; a run of its own among <see cref="Runs"/>.</summary>
    public RunRecord? Bare => Run(BareTransactionRun);
    public BrokerResult? Broker { get; set; }
    public List<string> Notes { get; } = [];
    public Expiry.ExpiryRecord? Expiry { get; set; }
    public Isolation.IsolationRecord? Isolation { get; set; }
    public Feed.FeedRecord? Feed { get; set; }
    public IReadOnlyList<FlashSale.FlashSaleRecord>? FlashSale { get; set; }
    public Capacity.CapacityRecord? Capacity { get; set; }

    public const string BareTransactionRun = "bare-transaction";
    public const string BareStepsRun = "bare-steps";
    public const string ProductTransactionRun = "product-transaction";
    public const string PaymentPathRun = "payment-path-only";
    public const string HttpFloorRun = "http-floor";

    public RunRecord? Run(string name) => Runs.FirstOrDefault(r => r.Name == name);

    public string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var series = Runs.Select(r => (r.Name, r.Load.Latency)).ToList();
        File.WriteAllText(Path.Combine(directory, "latency.svg"), LatencyChart.Render("Payment latency by percentile", series));
        var path = Path.Combine(directory, "report.md");
        File.WriteAllText(path, Render());
        return path;
    }

    private string Render()
    {
        var md = new StringBuilder();
        md.AppendLine("# OrderSystem benchmark report").AppendLine();
        Machine(md);
        Payments(md);
        Lag(md);
        Throughput(md);
        Targets(md);
        if (Expiry is not null)
        {
            ExpiryReport.Render(md, Expiry);
        }
        if (Isolation is not null)
        {
            IsolationReport.Render(md, Isolation);
        }
        if (Feed is not null)
        {
            FeedReport.Render(md, Feed);
        }
        if (FlashSale is not null)
        {
            FlashSaleReport.Render(md, FlashSale);
            if (options.FlashControl)
            {
                md.AppendLine("**Control waves** (`--flash-control`): the measured waves went to `GET /health/live`, not to the sale; nothing was admitted or sold, and the ratio is the wave's arrival alone.").AppendLine();
            }
        }
        if (Capacity is not null)
        {
            CapacityReport.Render(md, Capacity);
        }
        if (Run(PeakShavingReport.Off) is { } yieldOff && Run(PeakShavingReport.On) is { } yieldOn)
        {
            PeakShavingReport.Render(md, yieldOff, yieldOn);
        }
        md.AppendLine("## Chart").AppendLine();
        md.AppendLine("![Payment latency by percentile](latency.svg)").AppendLine();
        if (Notes.Count > 0)
        {
            md.AppendLine("## Notes").AppendLine();
            Notes.ForEach(n => md.AppendLine("- " + n));
            md.AppendLine();
        }
        return md.ToString();
    }

    private void Machine(StringBuilder md)
    {
        md.AppendLine("## Machine and settings").AppendLine();
        md.AppendLine(F($"- When: {startedAt:yyyy-MM-dd HH:mm} UTC to {DateTime.UtcNow:HH:mm} UTC"));
        md.AppendLine(F($"- Machine: {Environment.ProcessorCount} cores, {CpuModel()}, {MemoryGb():0.#} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}"));
        md.AppendLine(F($"- Load average at the end: {MachineCpu.LoadAverage()}{(options.MachineNote is { } note ? "; " + note : "")}"));
        md.AppendLine(F($"- Host: {(options.ManagesHost ? $"started by the benchmark, restarted for each run ({options.HostDll})" : options.Url)}"));
        var db = new MySqlConnector.MySqlConnectionStringBuilder(options.ConnectionString);
        md.AppendLine(F($"- Database: {db.Server}:{db.Port}/{db.Database}; RabbitMQ: {options.RabbitHost}:{options.RabbitPort} vhost {options.VirtualHost}"));
        md.AppendLine("- Closed loop: each buyer pays its next order as soon as the last one is answered (saturation). Open loop: payments arrive at a fixed rate whatever the answers (latency at a given load).");
        md.AppendLine(F($"- Buyers: concurrency {options.Concurrency}, up to {options.Orders:N0} payments per run ({options.SyncOrders:N0} for the synchronous chain), at most {options.DurationSeconds:0.#} s per run, after a warm-up of up to {options.WarmupOrders:N0} payments or {options.WarmupSeconds:0.#} s at full speed whose asynchronous work is drained before measuring; {options.Skus:N0} SKUs, one line per order"));
        md.AppendLine(F($"- Costs (article): {options.Costs.Describe()}; failure probability {options.Costs.FailureProbability:P0}"));
        md.AppendLine();
    }

    private void Payments(StringBuilder md)
    {
        md.AppendLine("## Payment latency and throughput").AppendLine();
        md.AppendLine("Latency is the buyer's: the payment callback's HTTP round trip as the load generator sees it.").AppendLine();
        md.AppendLine("| run | scenario | costs | load | payments | errors | payments/s | p50 ms | p95 ms | p99 ms | max ms | CPU (process) | peak memory | machine CPU | outbox backlog peak |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in Runs)
        {
            var l = r.Load;
            md.AppendLine(F($"| {r.Name} | {r.Scenario} | {r.Costs} | {r.Mode} | {l.Latency.Count:N0} | {l.Errors:N0} | {l.PerSecond:N0} | {Ms(l.Latency.P50)} | {Ms(l.Latency.P95)} | {Ms(l.Latency.P99)} | {Ms(l.Latency.Max)} | {Cpu(r.Usage)} | {Mb(r.Usage)} | {r.Usage.MachineCpuPercent:0}% | {(r.BacklogPeak is { } b ? b.ToString("N0", CultureInfo.InvariantCulture) : "-")} |"));
        }
        md.AppendLine();
        md.AppendLine("Database work per payment (MariaDB's global counters over the run, and over the wait for fulfillment where the lag was measured):").AppendLine();
        md.AppendLine("| run | statements/payment | commits/payment | redo fsyncs/payment | row lock waits |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var r in Runs.Where(r => r.Db is not null && r.Load.Latency.Count > 0))
        {
            var n = (double)r.Load.Latency.Count;
            var windowOnly = r.Lag is null && !r.IsLimit;
            md.AppendLine(F($"| {r.Name}{(windowOnly ? " (run window only)" : "")} | {r.Db!.Statements / n:0.0} | {r.Db.Commits / n:0.0} | {r.Db.Fsyncs / n:0.00} | {r.Db.RowLockWaits:N0} |"));
        }
        md.AppendLine();
        md.AppendLine("Where the CPU went (% of one core; the load generator lives in the benchmark process):").AppendLine();
        md.AppendLine("| run | measured process | benchmark process | MariaDB | RabbitMQ | whole machine (% of all cores) |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var (name, u) in Runs.Select(r => (r.Name, r.Usage)).Concat(Relay is { } ru ? [("relay-drain", ru.Usage)] : []))
        {
            md.AppendLine(F($"| {name} | {Pct(u.CpuPercent)} ({u.Process}) | {Pct(u.BenchCpuPercent)} | {Pct(u.DatabaseCpuPercent)} | {Pct(u.BrokerCpuPercent)} | {Pct(u.MachineCpuPercent)} |"));
        }
        md.AppendLine();
        md.AppendLine(F($"CPU (process) is in % of one core ({Environment.ProcessorCount * 100}% = the whole machine); for the outbox runs it is the product host process, for the synchronous chain the benchmark process that hosts it (so it includes the load generator)."));
        md.AppendLine();
    }

    private void Lag(StringBuilder md)
    {
        md.AppendLine("## End-to-end fulfillment lag").AppendLine();
        md.AppendLine("From the order's `paid_at` to the last of its four effects (points, coupon, SMS, shipment) recorded in `order_fulfillment`, both host timestamps.").AppendLine();
        md.AppendLine("| run | costs | payments/s offered | orders paid | fulfilled | lag p50 ms | lag p95 ms | lag p99 ms | lag max ms |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in Runs.Where(r => r.Lag is not null))
        {
            var lag = r.Lag!;
            md.AppendLine(F($"| {r.Name} | {r.Costs} | {r.Mode} | {lag.Paid:N0} | {lag.Fulfilled:N0} | {Ms(lag.Lag.P50)} | {Ms(lag.Lag.P95)} | {Ms(lag.Lag.P99)} | {Ms(lag.Lag.Max)} |"));
        }
        md.AppendLine();
    }

    private void Throughput(StringBuilder md)
    {
        md.AppendLine("## Outbox relay and broker").AppendLine();
        md.AppendLine("| what | messages | seconds | messages/s | notes |");
        md.AppendLine("|---|---|---|---|---|");
        if (Relay is { } relay)
        {
            md.AppendLine(F($"| relay drain (Order's outbox → RabbitMQ, confirmed and marked) | {relay.Rows:N0} | {relay.Seconds:0.00} | {relay.PerSecond:N0} | host running Order only, CPU {Cpu(relay.Usage)}, machine {relay.Usage.MachineCpuPercent:0}%; MassTransit envelope of {relay.BodyBytes} B, into the same 4 drained queues as below |"));
        }
        if (Broker is { } broker)
        {
            md.AppendLine(F($"| raw broker (RabbitMQ.Client, confirms, batches of {options.RelayBatchSize} in flight, as the relay's Outbox:BatchSize) | {broker.Messages:N0} | {broker.Published.TotalSeconds:0.00} | {broker.PublishedPerSecond:N0} | {broker.BodyBytes} B persistent, through OrderPaid's exchange to 4 durable queues, each drained by an ack-only consumer (all drained after {broker.Drained.TotalSeconds:0.00} s) |"));
        }
        md.AppendLine();
    }

    private void Targets(StringBuilder md)
    {
        md.AppendLine("## Ratios and targets").AppendLine();
        md.AppendLine("| ratio | target | measured | met |");
        md.AppendLine("|---|---|---|---|");
        var sync = Run("sync-spikes-on");
        var syncOff = Run("sync-spikes-off");
        var outbox = Run("outbox-spikes-on");
        var outboxOff = Run("outbox-spikes-off");
        var saturated = Run("outbox-c64-spikes-on");
        if (sync is not null && outbox is not null)
        {
            var at = $"spikes on, both at {outbox.Mode.Replace("open loop, ", "")}";
            Row(md, $"synchronous chain ÷ outbox, payment p50 ({at})", "≥ 50x", sync.Load.Latency.P50 / outbox.Load.Latency.P50, 50, higherIsBetter: true, "x");
            Row(md, $"synchronous chain ÷ outbox, payment p99 ({at})", "≥ 50x", sync.Load.Latency.P99 / outbox.Load.Latency.P99, 50, higherIsBetter: true, "x");
        }
        if (syncOff is not null && outboxOff is not null)
        {
            Row(md, "synchronous chain ÷ outbox, payment p50 (spikes off, same rate)", "≥ 50x", syncOff.Load.Latency.P50 / outboxOff.Load.Latency.P50, 50, higherIsBetter: true, "x");
            Row(md, "synchronous chain ÷ outbox, payment p99 (spikes off, same rate)", "≥ 50x", syncOff.Load.Latency.P99 / outboxOff.Load.Latency.P99, 50, higherIsBetter: true, "x");
        }
        if (sync is not null && saturated is not null)
        {
            Row(md, "synchronous chain ÷ outbox, payment p50, both closed loop c=64 (outbox saturated)", "(info)", sync.Load.Latency.P50 / saturated.Load.Latency.P50, double.NaN, higherIsBetter: true, "x");
            Row(md, "synchronous chain ÷ outbox, payment p99, both closed loop c=64 (outbox saturated)", "(info)", sync.Load.Latency.P99 / saturated.Load.Latency.P99, double.NaN, higherIsBetter: true, "x");
        }
        if (outbox is not null && outboxOff is not null)
        {
            Row(md, "outbox payment p99, spikes on ÷ spikes off", "≤ 1.20", outbox.Load.Latency.P99 / outboxOff.Load.Latency.P99, 1.2, higherIsBetter: false, "");
        }
        if (Bare is { } bare)
        {
            foreach (var r in Runs.Where(r => r.Scenario.StartsWith("outbox", StringComparison.Ordinal) && r.Mode.StartsWith("closed", StringComparison.Ordinal)))
            {
                Row(md, $"{r.Name} payments/s ÷ bare transaction tx/s (c={options.Concurrency})", "≥ 0.80", r.Load.PerSecond / bare.Load.PerSecond, 0.8, higherIsBetter: true, "");
            }
            // Where the gap to the ceiling goes, step by step: the product's own SQL, then HTTP, then the pipeline beside it.
            foreach (var (name, what) in new[]
                     {
                         (ProductTransactionRun, "product payment transaction (read + status + stock + outbox row), no HTTP"),
                         (PaymentPathRun, "payment path through HTTP with no consumer running"),
                     })
            {
                if (Run(name) is { } r)
                {
                    Row(md, $"{what}: tx/s ÷ bare transaction tx/s (c={options.Concurrency})", "(info)", r.Load.PerSecond / bare.Load.PerSecond, double.NaN, higherIsBetter: true, "");
                }
            }
            if (Run(HttpFloorRun) is { } http)
            {
                // Both saturate the same cores, so their CPU per call adds up: a payment that is the bare transaction plus
                // the cheapest HTTP call could reach at most this share of the bare transaction's rate.
                Row(md, "bound for any payment over HTTP: bare transaction + cheapest HTTP call, ÷ bare transaction", "(info)",
                    1 / (1 + bare.Load.PerSecond / http.Load.PerSecond), double.NaN, higherIsBetter: true, "");
            }
        }
        if (Bare is { } b && Run(ProductTransactionRun) is { } payment && Run(BareStepsRun) is { Load.Latency.Count: > 0 } steps && Broker is { CpuMsPerMessage: > 0 } fanOut)
        {
            // The design's irreducible work, each part raw and saturated on the same cores, so their CPU per payment adds
            // up; HTTP, the relay, the feed and the third-party calls would all come on top (finding 32).
            var floorMs = payment.LimitCpuMsPerOperation + steps.LimitCpuMsPerOperation / BareSteps.PaymentsPerTransaction + fanOut.CpuMsPerMessage;
            Row(md, "design floor: CPU per payment of the product's transaction + four steps' rows + raw fan-out ÷ bare transaction's", "(info)",
                floorMs / b.LimitCpuMsPerOperation, double.NaN, higherIsBetter: false, "x");
            Row(md, "design floor: payments/s at full CPU ÷ bare transaction tx/s", "(info)",
                Environment.ProcessorCount * 1000 / floorMs / b.Load.PerSecond, double.NaN, higherIsBetter: true, "");
        }
        if (Relay is { } relay && Broker is { } broker)
        {
            Row(md, "relay msg/s ÷ raw broker msg/s", "≥ 0.70", relay.PerSecond / broker.PublishedPerSecond, 0.7, higherIsBetter: true, "");
        }
        if (Run("lag-costs-zero") is { Lag: { } lag } lagRun)
        {
            Row(md, $"fulfillment lag p99, costs zero, at {lagRun.Mode}", "< 100 ms", lag.Lag.P99, 100, higherIsBetter: false, " ms");
        }
        md.AppendLine();
    }

    private static void Row(StringBuilder md, string what, string target, double value, double bound, bool higherIsBetter, string unit)
    {
        var met = double.IsNaN(bound) ? "-" : double.IsNaN(value) ? "n/a" : (higherIsBetter ? value >= bound : value <= bound) ? "yes" : "**no**";
        md.AppendLine(F($"| {what} | {target} | {value:0.00}{unit} | {met} |"));
    }

    private static string Ms(double ms) => double.IsNaN(ms) ? "-" : ms >= 100 ? F($"{ms:N0}") : F($"{ms:0.0}");

    private static string Pct(double value) => double.IsNaN(value) ? "-" : F($"{value:0}%");

    private static string Cpu(Usage u) => u.CpuPercent > 0 ? F($"{u.CpuPercent:0}%") : "-";

    private static string Mb(Usage u) => u.PeakMemoryMb > 0 ? F($"{u.PeakMemoryMb:N0} MB") : "-";

    private static string CpuModel() => File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
        : "unknown CPU";

    private static double MemoryGb() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024;

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
