using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Observability;
using OrderSystem.BuildingBlocks.Outbox;

namespace OrderSystem.ServiceDefaults;

/// <summary>
/// Measures each outbox's backlog (rows not yet published, and how long the oldest has waited) on a timer of its own,
/// never on the payment path; the gauges report the latest measurement and readiness measures afresh.
/// </summary>
internal sealed partial class OutboxBacklogMonitor : BackgroundService
{
    private readonly IReadOnlyList<(string Table, Db Db, string Sql)> _tables;
    private readonly int _maxAttempts;
    private readonly TimeProvider _clock;
    private readonly ObservabilityOptions _options;
    private readonly ILogger<OutboxBacklogMonitor> _logger;
    private volatile IReadOnlyList<OutboxBacklog> _latest = [];

    // The meter is per process (see OrderSystemMetrics), so the gauges are too: they read every running monitor.
    private static readonly ConcurrentDictionary<OutboxBacklogMonitor, byte> Running = new();

    static OutboxBacklogMonitor()
    {
        Telemetry.Meter.CreateObservableGauge("ordersystem.outbox.pending", () => Latest().Select(b =>
                new Measurement<long>(b.Pending, new KeyValuePair<string, object?>("outbox", b.Table))),
            "{message}", "Outbox rows written but not yet published, by outbox table.");
        Telemetry.Meter.CreateObservableGauge("ordersystem.outbox.oldest_pending_age", () => Latest().Select(b =>
                new Measurement<double>(b.OldestAge.TotalSeconds, new KeyValuePair<string, object?>("outbox", b.Table))),
            "s", "How long the oldest unpublished outbox row has waited (0 when none), by outbox table.");
        Telemetry.Meter.CreateObservableGauge("ordersystem.outbox.parked", () => Latest().Select(b =>
                new Measurement<long>(b.Parked, new KeyValuePair<string, object?>("outbox", b.Table))),
            "{message}", "Outbox rows parked after Outbox:MaxAttempts (counted in pending too): they wait for an operator's retry.");
    }

    public OutboxBacklogMonitor(IEnumerable<ModuleStore> modules, TimeProvider clock,
        IOptions<ObservabilityOptions> options, IOptions<OutboxOptions> outboxOptions, ILogger<OutboxBacklogMonitor> logger)
    {
        // The pending index (dispatched_at, id) keeps this a short range scan while the relay keeps up. Parked rows stay
        // in the count and the oldest age, so the backlog alert fires for them; readiness looks only at the rows the
        // relay still tries (see OutboxBacklogHealthCheck).
        _tables = modules.Where(m => m.HasOutbox).Select(m => (Table: SqlIdentifier.Require(m.Outbox.Table), m.Db))
            .Select(t => (t.Table, t.Db, $"""
                SELECT COUNT(*) AS Pending, MIN(created_at) AS Oldest, CAST(COALESCE(SUM(attempts >= @MaxAttempts), 0) AS SIGNED) AS Parked,
                       MIN(CASE WHEN attempts < @MaxAttempts THEN created_at END) AS OldestUnparked
                FROM {t.Table} WHERE dispatched_at IS NULL
                """))
            .ToList();
        _maxAttempts = outboxOptions.Value.MaxAttempts;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
    }

    public async Task<IReadOnlyList<OutboxBacklog>> MeasureAsync(CancellationToken ct)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var backlogs = new List<OutboxBacklog>(_tables.Count);
        foreach (var (table, db, sql) in _tables)
        {
            await using var connection = await db.OpenAsync(ct);
            var row = await connection.QuerySingleAsync<(long Pending, DateTime? Oldest, long Parked, DateTime? OldestUnparked)>(
                new CommandDefinition(sql, new { MaxAttempts = _maxAttempts }, cancellationToken: ct));
            backlogs.Add(new OutboxBacklog(table, row.Pending, Age(row.Oldest, now), row.Parked, Age(row.OldestUnparked, now)));
        }
        _latest = backlogs;
        return backlogs;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Running.TryAdd(this, 0);
        await using var _ = stoppingToken.Register(() => Running.TryRemove(this, out byte _));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await MeasureAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The gauges keep their last values; readiness reports the database itself.
                LogMeasureFailed(e.Message);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(_options.OutboxBacklogRefreshMs), _clock, stoppingToken);
        }
    }

    private static TimeSpan Age(DateTime? since, DateTime now) => since is { } t && now > t ? now - t : TimeSpan.Zero;

    private static IEnumerable<OutboxBacklog> Latest() => Running.Keys.SelectMany(m => m._latest);

    [LoggerMessage(LogLevel.Debug, "Could not measure the outbox backlog: {Error}")]
    private partial void LogMeasureFailed(string error);
}

/// <summary>One outbox's backlog. Pending and OldestAge include the parked rows; OldestUnparkedAge is the relay's own lag.</summary>
internal sealed record OutboxBacklog(string Table, long Pending, TimeSpan OldestAge, long Parked, TimeSpan OldestUnparkedAge);
