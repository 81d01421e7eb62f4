using MySqlConnector;

namespace OrderSystem.Bench;

/// <summary>
/// Everything the benchmark can be told. Servers come from the repository's appsettings.json and the same
/// environment overrides as the host (ConnectionStrings__OrderSystem, RabbitMq__Port, ...); the rest from
/// Bench:* keys or the command-line switches below.
/// </summary>
internal sealed class BenchOptions
{
    public static readonly Dictionary<string, string> Switches = new()
    {
        ["--scenarios"] = "Bench:Scenarios",
        ["--runs"] = "Bench:Runs",
        ["--orders"] = "Bench:Orders",
        ["--sync-orders"] = "Bench:SyncOrders",
        ["--warmup"] = "Bench:WarmupOrders",
        ["--warmup-seconds"] = "Bench:WarmupSeconds",
        ["--concurrency"] = "Bench:Concurrency",
        ["--duration"] = "Bench:DurationSeconds",
        ["--skus"] = "Bench:Skus",
        ["--lag-rate"] = "Bench:LagRate",
        ["--feed-changes-rate"] = "Bench:FeedChangesRate",
        ["--feed-rounds"] = "Bench:FeedRounds",
        ["--latency-rate"] = "Bench:LatencyRate",
        ["--relay-messages"] = "Bench:RelayMessages",
        ["--broker-messages"] = "Bench:BrokerMessages",
        ["--points-ms"] = "Bench:Costs:PointsMs",
        ["--coupon-ms"] = "Bench:Costs:CouponMs",
        ["--sms-ms"] = "Bench:Costs:SmsMs",
        ["--logistics-ms"] = "Bench:Costs:LogisticsMs",
        ["--spike-probability"] = "Bench:Costs:SpikeProbability",
        ["--sms-spike-ms"] = "Bench:Costs:SmsSpikeMs",
        ["--logistics-spike-ms"] = "Bench:Costs:LogisticsSpikeMs",
        ["--failure-probability"] = "Bench:Costs:FailureProbability",
        ["--expiry-orders"] = "Bench:ExpiryOrders",
        ["--expiry-burst"] = "Bench:ExpiryBurst",
        ["--expiry-paid"] = "Bench:ExpiryPaid",
        ["--expiry-spread"] = "Bench:ExpirySpreadSeconds",
        ["--expiry-pay-rate"] = "Bench:ExpiryPayRate",
        ["--flash-units"] = "Bench:FlashUnits",
        ["--flash-users"] = "Bench:FlashUsers",
        ["--flash-wave-seconds"] = "Bench:FlashWaveSeconds",
        ["--flash-concurrency"] = "Bench:FlashConcurrency",
        ["--flash-rates"] = "Bench:FlashRates",
        ["--flash-rate"] = "Bench:FlashRate",
        ["--flash-control"] = "Bench:FlashControl",
        ["--isolation-rate"] = "Bench:IsolationRate",
        ["--capacity-steps"] = "Bench:CapacitySteps",
        ["--capacity-rates"] = "Bench:CapacityRates",
        ["--capacity-seconds"] = "Bench:CapacitySeconds",
        ["--capacity-stop-after"] = "Bench:CapacityStopAfterUnsteady",
        ["--isolation-phase-seconds"] = "Bench:IsolationPhaseSeconds",
        ["--url"] = "Bench:Url",
        ["--host-dll"] = "Bench:HostDll",
        ["--database"] = "Bench:Database",
        ["--vhost"] = "Bench:VirtualHost",
        ["--out"] = "Bench:Out",
        ["--machine-note"] = "Bench:MachineNote",
    };

    public required string RepoRoot { get; init; }
    public required IConfiguration Configuration { get; init; }

    public IReadOnlySet<string> Scenarios { get; init; } = new HashSet<string> { "sync", "outbox", "limits" };
    /// <summary>Only these runs of the chosen scenarios (empty: all), for a quick look at one of them.</summary>
    public IReadOnlySet<string> Runs { get; init; } = new HashSet<string>();
    public int Orders { get; init; } = 20000;
    public int SyncOrders { get; init; } = 1500;
    public int WarmupOrders { get; init; } = 8000;
    public double WarmupSeconds { get; init; } = 30;
    public int Concurrency { get; init; } = 64;
    public double DurationSeconds { get; init; } = 15;
    public int Skus { get; init; } = 1000;
    public double LagRate { get; init; }
    /// <summary>The feed scenario's lag run: order changes per second (each payment makes five: paid and four steps).</summary>
    public double FeedChangesRate { get; init; } = 1000;
    /// <summary>The feed scenario's cost: pairs of runs with the feed off and on, in alternating order; the ratio is their median.</summary>
    public int FeedRounds { get; init; } = 3;
    public double LatencyRate { get; init; }
    public int RelayMessages { get; init; } = 20000;
    public int BrokerMessages { get; init; } = 20000;
    public Costs Costs { get; init; } = new();

    /// <summary>The expiry scenario: unpaid orders seeded, of them due in one burst, seeded ones paid, window and ordinary payment rate.</summary>
    public int ExpiryOrders { get; init; } = 1_000_000;
    public int ExpiryBurst { get; init; } = 50_000;
    public int ExpiryPaid { get; init; } = 1_000;
    public double ExpirySpreadSeconds { get; init; } = 180;
    public double ExpiryPayRate { get; init; } = 50;

    /// <summary>The flash-sale scenario: units for sale, the crowd's users, the wave's length and its connections (ordinary payments at ExpiryPayRate).</summary>
    public int FlashUnits { get; init; } = 1_000;
    public int FlashUsers { get; init; } = 50_000;
    public double FlashWaveSeconds { get; init; } = 10;
    public int FlashConcurrency { get; init; } = 128;
    /// <summary>
    /// A control wave (Bench:FlashControl): the same requests at the same rates sent to GET /health/live instead of the
    /// sale, so that what the wave's mere arrival costs the ordinary payments on these cores shows apart from the sale's
    /// own work (finding 33 of docs/performance.md). Nothing is admitted or sold.
    /// </summary>
    public bool FlashControl { get; init; }

    /// <summary>
    /// The flash-sale waves' arrival rates (requests/s, open loop), one wave and one fresh sale each (Bench:FlashRates, or
    /// one of them: Bench:FlashRate); "closed" (empty): one wave of FlashConcurrency senders in a closed loop instead.
    /// </summary>
    public IReadOnlyList<double> FlashRates { get; init; } = [1_000, 2_000, 4_000, 8_000, 12_000, 16_000, 20_000];

    /// <summary>The isolation scenario: payments per second, and the length of each phase (before, logistics hanging, after).</summary>
    public double IsolationRate { get; init; } = 100;
    public double IsolationPhaseSeconds { get; init; } = 30;

    /// <summary>The capacity scenario: offered rates as fractions of the bare transaction, seconds at each, and how many unsteady rates in a row end it.</summary>
    public IReadOnlyList<double> CapacitySteps { get; init; } = [0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50];
    /// <summary>The capacity scenario's offered rates in payments per second; when set, they replace <see cref="CapacitySteps"/>.</summary>
    public IReadOnlyList<double> CapacityRates { get; init; } = [];
    public double CapacitySeconds { get; init; } = 30;
    public int CapacityStopAfterUnsteady { get; init; } = 2;

    /// <summary>A host that is already running: the benchmark then neither starts, restarts nor resets anything.</summary>
    public string? Url { get; init; }
    public required string HostDll { get; init; }
    public required string ConnectionString { get; init; }

    /// <summary>The third-party simulator the hosts call (ThirdParties:BaseUrl); each run sets its costs there.</summary>
    public required Uri Simulator { get; init; }
    public required string VirtualHost { get; init; }
    public required string OutDirectory { get; init; }
    public string? MachineNote { get; init; }

    public string AdminKey => Configuration["Admin:ApiKey"]!;
    public string CallbackSecret => Configuration["Payments:CallbackSecret"]!;
    public string RabbitHost => Configuration["RabbitMq:Host"] ?? "127.0.0.1";
    public int RabbitPort => int.Parse(Configuration["RabbitMq:Port"] ?? "5672");
    public string RabbitUser => Configuration["RabbitMq:Username"] ?? "guest";
    public string RabbitPassword => Configuration["RabbitMq:Password"] ?? "guest";
    public string RabbitManagementUrl => Configuration["RabbitMq:ManagementUrl"] ?? "http://127.0.0.1:15682";
    public bool ManagesHost => Url is null;

    /// <summary>The relay's batch (Outbox:BatchSize, which the started host inherits): the raw publisher keeps as many confirms in flight.</summary>
    public int RelayBatchSize => int.Parse(Configuration["Outbox:BatchSize"] ?? "200", System.Globalization.CultureInfo.InvariantCulture);

    public bool Includes(string run) => Runs.Count == 0 || Runs.Contains(run);

    public static BenchOptions Load(string[] args)
    {
        var repoRoot = FindRepoRoot();
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(repoRoot, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args, Switches)
            .Build();
        var bench = configuration.GetSection("Bench");
        var defaults = new BenchOptions
        {
            RepoRoot = repoRoot, Configuration = configuration, HostDll = "", ConnectionString = "", VirtualHost = "", OutDirectory = "",
            Simulator = new Uri("http://127.0.0.1:5089/"),
        };
        // When the benchmark manages the host it works in a database and virtual host of its own, which it resets between runs.
        var url = bench["Url"];
        var server = new MySqlConnectionStringBuilder(configuration.GetConnectionString("OrderSystem")
            ?? throw new InvalidOperationException("ConnectionStrings:OrderSystem is not configured."));
        if (url is null || bench["Database"] is not null)
        {
            server.Database = bench["Database"] ?? "ordersystem_bench";
        }
        return new BenchOptions
        {
            RepoRoot = repoRoot,
            Configuration = configuration,
            Scenarios = bench["Scenarios"] is { } s
                ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase)
                : defaults.Scenarios,
            Runs = (bench["Runs"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToHashSet(StringComparer.OrdinalIgnoreCase),
            Orders = bench.GetValue("Orders", defaults.Orders),
            ExpiryOrders = bench.GetValue("ExpiryOrders", defaults.ExpiryOrders),
            ExpiryBurst = bench.GetValue("ExpiryBurst", defaults.ExpiryBurst),
            ExpiryPaid = bench.GetValue("ExpiryPaid", defaults.ExpiryPaid),
            ExpirySpreadSeconds = bench.GetValue("ExpirySpreadSeconds", defaults.ExpirySpreadSeconds),
            ExpiryPayRate = bench.GetValue("ExpiryPayRate", defaults.ExpiryPayRate),
            FlashUnits = bench.GetValue("FlashUnits", defaults.FlashUnits),
            FlashUsers = bench.GetValue("FlashUsers", defaults.FlashUsers),
            FlashWaveSeconds = bench.GetValue("FlashWaveSeconds", defaults.FlashWaveSeconds),
            FlashConcurrency = bench.GetValue("FlashConcurrency", defaults.FlashConcurrency),
            FlashControl = bench.GetValue("FlashControl", defaults.FlashControl),
            FlashRates = (bench["FlashRate"] ?? bench["FlashRates"]) is { } flashRates
                ? flashRates.Trim().Equals("closed", StringComparison.OrdinalIgnoreCase) ? [] : Numbers(flashRates)
                : defaults.FlashRates,
            IsolationRate = bench.GetValue("IsolationRate", defaults.IsolationRate),
            IsolationPhaseSeconds = bench.GetValue("IsolationPhaseSeconds", defaults.IsolationPhaseSeconds),
            CapacitySteps = bench["CapacitySteps"] is { } steps ? Numbers(steps) : defaults.CapacitySteps,
            CapacityRates = bench["CapacityRates"] is { } capacityRates ? Numbers(capacityRates) : defaults.CapacityRates,
            CapacitySeconds = bench.GetValue("CapacitySeconds", defaults.CapacitySeconds),
            CapacityStopAfterUnsteady = bench.GetValue("CapacityStopAfterUnsteady", defaults.CapacityStopAfterUnsteady),
            SyncOrders = bench.GetValue("SyncOrders", defaults.SyncOrders),
            WarmupOrders = bench.GetValue("WarmupOrders", defaults.WarmupOrders),
            WarmupSeconds = bench.GetValue("WarmupSeconds", defaults.WarmupSeconds),
            Concurrency = bench.GetValue("Concurrency", defaults.Concurrency),
            DurationSeconds = bench.GetValue("DurationSeconds", defaults.DurationSeconds),
            Skus = bench.GetValue("Skus", defaults.Skus),
            LagRate = bench.GetValue("LagRate", defaults.LagRate),
            FeedChangesRate = bench.GetValue("FeedChangesRate", defaults.FeedChangesRate),
            FeedRounds = Math.Max(1, bench.GetValue("FeedRounds", defaults.FeedRounds)),
            LatencyRate = bench.GetValue("LatencyRate", defaults.LatencyRate),
            RelayMessages = bench.GetValue("RelayMessages", defaults.RelayMessages),
            BrokerMessages = bench.GetValue("BrokerMessages", defaults.BrokerMessages),
            Costs = bench.GetSection("Costs").Get<Costs>() ?? new Costs(),
            Url = url?.TrimEnd('/'),
            HostDll = bench["HostDll"] ?? DefaultHostDll(repoRoot),
            ConnectionString = server.ConnectionString,
            VirtualHost = bench["VirtualHost"] ?? (url is null ? "ordersystem-bench" : configuration["RabbitMq:VirtualHost"] ?? "/"),
            OutDirectory = bench["Out"] ?? Path.Combine(repoRoot, "bench", "results"),
            Simulator = new Uri((configuration["ThirdParties:BaseUrl"] ?? "http://127.0.0.1:5089").TrimEnd('/') + "/"),
            MachineNote = bench["MachineNote"],
        };
    }

    /// <summary>The host built in the same configuration (Release or Debug) as this benchmark.</summary>
    /// <summary>A comma-separated list of numbers ("0.05,0.10" or "130,260").</summary>
    private static double[] Numbers(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => double.Parse(n, System.Globalization.CultureInfo.InvariantCulture))];

    private static string DefaultHostDll(string repoRoot)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}")
            ? "Debug" : "Release";
        return Path.Combine(repoRoot, "Host", "bin", configuration, "net10.0", "OrderSystem.Host.dll");
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OrderSystem.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>
/// The article's costs of the downstream steps. Points and coupon are waits only in the synchronous chain (the product's are
/// plain database writes); SMS and logistics are the product's own simulated third parties (Simulation:Sms/Logistics).
/// </summary>
internal sealed record Costs
{
    public int PointsMs { get; init; } = 50;
    public int CouponMs { get; init; } = 60;
    public int SmsMs { get; init; } = 100;
    public int LogisticsMs { get; init; } = 500;
    public double SpikeProbability { get; init; } = 0.05;
    public int SmsSpikeMs { get; init; } = 1200;
    public int LogisticsSpikeMs { get; init; } = 1500;
    public double FailureProbability { get; init; }

    public static Costs Zero => new() { PointsMs = 0, CouponMs = 0, SmsMs = 0, LogisticsMs = 0, SpikeProbability = 0 };

    public Costs WithoutSpikes => this with { SpikeProbability = 0 };

    public string Describe() => SmsMs == 0 && LogisticsMs == 0 && PointsMs == 0 && CouponMs == 0
        ? "costs zero"
        : $"points {PointsMs} ms, coupon {CouponMs} ms, SMS {SmsMs} ms, logistics {LogisticsMs} ms, " +
          (SpikeProbability > 0 ? $"spikes {SpikeProbability:P0} (+{SmsSpikeMs}/+{LogisticsSpikeMs} ms)" : "spikes off");

    /// <summary>Sets the simulated SMS gateway and logistics system (the third-party simulator) to these costs.</summary>
    public async Task ApplyToSimulatorAsync(Uri simulator, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = simulator, Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (party, delay, spike) in new[] { ("sms", SmsMs, SmsSpikeMs), ("logistics", LogisticsMs, LogisticsSpikeMs) })
        {
            using var response = await http.PutAsJsonAsync($"control/{party}", new
            {
                delayMs = delay, spikeProbability = SpikeProbability, spikeMs = spike, failureProbability = FailureProbability,
                rejectProbability = 0, down = false, hang = false,
            }, ct);
            response.EnsureSuccessStatusCode();
        }
    }
}
