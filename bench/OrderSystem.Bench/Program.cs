using OrderSystem.Bench;
using OrderSystem.Bench.Report;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        OrderSystem.Bench: payment latency and throughput, synchronous chain vs outbox vs the machine's limits.
        Usually run through bench/run.sh, which builds, starts the servers and passes these through.

          --scenarios sync,outbox,limits   which scenarios (default: all three); also expiry, isolation, feed,
                                flash-sale, capacity and peak-shaving, run only when named
          --runs a,b            only these runs: sync-spikes-on, sync-spikes-off, outbox-spikes-on, outbox-spikes-off,
                                outbox-c64-spikes-on, outbox-costs-zero, lag-costs-zero, payment-path-only, relay-drain,
                                bare-transaction, product-transaction, http-floor, raw-broker, feed-off-N, feed-on-N, feed-lag,
                                burst-yield-off, burst-yield-on
          --orders N            payments per outbox run (default 20000); also the bare and product transactions'
          --sync-orders N       payments per synchronous-chain run (default 1500)
          --warmup N            warm-up payments before each run, at full speed (default 8000) ...
          --warmup-seconds S    ... or S seconds of them, whichever ends first (default 30); then the warm-up's
                                asynchronous work is drained before the measured run starts
          --concurrency N       simulated buyers in flight (default 64)
          --duration S          at most S seconds per measured run (default 15)
          --skus N              catalog size (default 1000)
          --latency-rate R      payments/s of the outbox latency runs (default: what the synchronous chain managed)
          --lag-rate R          payments/s for the costs-zero lag run (default: half the measured maximum)
          --feed-changes-rate R order changes/s of the feed's lag run (default 1000; a payment makes five)
          --feed-rounds N       pairs of feed-off / feed-on runs, in alternating order; the cost ratio is their
                                median (default 3)
          --relay-messages N    rows for the relay drain (default 20000)
          --broker-messages N   messages for the raw broker ceiling (default 20000)
          --points-ms, --coupon-ms, --sms-ms, --logistics-ms     costs (default 50, 60, 100, 500)
          --spike-probability P --sms-spike-ms MS --logistics-spike-ms MS   spikes (default 0.05, 1200, 1500)
          --failure-probability P   simulated third-party failures (default 0)
          --capacity-steps F,F,...   capacity: offered rates as fractions of the bare transaction
                                (default 0.05,0.10,...,0.50); --capacity-seconds S at each (default 30);
                                --capacity-stop-after N unsteady rates in a row end it (default 2)
          --capacity-rates R,R,...   capacity: offered rates in payments/s instead of fractions (the same
                                load for a before/after pair), still reported as ratios to the bare transaction
          --isolation-rate R    isolation: payments/s, open loop (default 100)
          --isolation-phase-seconds S   isolation: seconds before, with logistics hanging, and after (default 30 each);
                                first --warmup-seconds of payments at the same rate, not measured
          --flash-units N --flash-users N --flash-wave-seconds S --flash-concurrency N   flash-sale: units for sale
                                (1000), the crowd (50000), the wave (10 s) and its connections (128); ordinary payments at
                                --expiry-pay-rate (50/s), quiet first, then during the wave
          --flash-rates R,R,... flash-sale: one open-loop wave per arrival rate, requests/s, each a fresh sale after a quiet
                                phase of its own (default 1000,2000,4000,8000,12000,16000,20000); --flash-rate R: one;
                                --flash-rates closed: one wave of --flash-concurrency senders in a closed loop instead
          --url URL             use a host that is already running (no restarts, no resets, costs as it has them)
          --host-dll PATH       the host to start (default Host/bin/<config>/net10.0/OrderSystem.Host.dll)
          --database NAME       database of its own (default ordersystem_bench; it is emptied between runs)
          --vhost NAME          RabbitMQ virtual host of its own (default ordersystem-bench; recreated between runs)
          --out DIR             where results/<timestamp>/ goes (default bench/results)
          --machine-note TEXT   a line about the machine's load for the report

        Servers come from appsettings.json and the usual environment overrides (ConnectionStrings__OrderSystem,
        RabbitMq__Port, RabbitMq__ManagementUrl, ...).
        """);
    return 0;
}

var options = BenchOptions.Load(args);
var startedAt = DateTime.UtcNow;
var directory = Path.Combine(options.OutDirectory, startedAt.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
Directory.CreateDirectory(directory);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

var report = new MarkdownReport(options, startedAt);
try
{
    await new Scenarios(options, report, directory).RunAsync(cancel.Token);
}
catch (Exception e) when (report.Runs.Count > 0 || report.Bare is not null)
{
    // Keep what was measured: a partial report says more than none.
    report.Notes.Add($"The run stopped early: {e.GetType().Name}: {e.Message}");
    Console.Error.WriteLine(e);
    Console.WriteLine($"Partial report: {report.Write(directory)}");
    return 1;
}
var path = report.Write(directory);
Console.WriteLine();
Console.WriteLine(File.ReadAllText(path));
Console.WriteLine($"Report: {path}");
Console.WriteLine($"Chart:  {Path.Combine(directory, "latency.svg")}");
return 0;
