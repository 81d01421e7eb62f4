using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Feed.Contracts;
using OrderSystem.FlashSales.Contracts;
using OrderSystem.Order.Contracts;
using OrderSystem.Refunds.Contracts;
using OrderSystem.ThirdParties;

namespace OrderSystem.Operations.Console.Overview;

/// <summary>
/// Samples the overview while someone watches it (a request in the last 15 minutes), and keeps 15 minutes of samples
/// in memory for the charts. Nobody watching, it costs nothing: a host's first viewer starts its history.
/// </summary>
internal sealed partial class OverviewSampler(
    IServiceProvider services, IEnumerable<ModuleStore> modules, ModuleCatalog catalog, IOptions<OutboxOptions> outbox,
    IOptions<ConsoleOptions> options, DeadLetters deadLetters, InFlightMessages inFlight, IEnumerable<ThirdParty> parties, RecentMeasurements measurements, TimeProvider clock,
    ILogger<OverviewSampler> logger) : BackgroundService
{
    private static readonly TimeSpan Kept = TimeSpan.FromMinutes(15);

    /// <summary>The fulfillment lag is taken over this many newest orders: a few thousand key reads a sample.</summary>
    internal const int LagSampleOrders = 500;

    private readonly SemaphoreSlim _sampling = new(1, 1);
    private readonly LinkedList<OverviewSnapshot> _ring = new();
    private long _lastReadTicks;
    private readonly PacedRead<IReadOnlyDictionary<string, long>> _ordersByStatus =
        new(ct => services.GetRequiredService<IOrderOperations>().CountByStatusAsync(ct));
    private readonly PacedRead<RefundSummary> _refunds = new(ct => services.GetRequiredService<IRefundOperations>().SummarizeAsync(ct));

    private TimeSpan Interval => TimeSpan.FromMilliseconds(Math.Max(250, options.Value.SampleIntervalMs));

    /// <summary>The latest sample (taken now when the last is older than the interval) and the history.</summary>
    public async Task<OverviewResponse> ReadAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _lastReadTicks, clock.GetUtcNow().UtcTicks);
        measurements.Watch();
        OverviewSnapshot latest;
        lock (_ring)
        {
            latest = _ring.Last?.Value!;
        }
        if (latest is null || clock.GetUtcNow().UtcDateTime - latest.At >= Interval)
        {
            latest = await SampleAsync(ct);
        }
        List<OverviewSnapshot> samples;
        lock (_ring)
        {
            samples = [.. _ring];
        }
        return new OverviewResponse(latest, OverviewHistory.Of(samples));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastReadTicks) < Kept.Ticks)
            {
                await SampleAsync(stoppingToken);
            }
            else
            {
                measurements.Unwatch();
            }
        }
    }

    internal async Task<OverviewSnapshot> SampleAsync(CancellationToken ct)
    {
        await _sampling.WaitAsync(ct);
        try
        {
            var snapshot = await CollectAsync(ct);
            lock (_ring)
            {
                _ring.AddLast(snapshot);
                while (_ring.First!.Value.At < snapshot.At - Kept)
                {
                    _ring.RemoveFirst();
                }
            }
            return snapshot;
        }
        finally
        {
            _sampling.Release();
        }
    }

    private async Task<OverviewSnapshot> CollectAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var unavailable = new List<string>();
        async Task<T?> Try<T>(string what, Func<Task<T>> read)
        {
            try
            {
                return await read();
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogSourceFailed(what, e.Message);
                unavailable.Add($"{what}: {e.GetType().Name}");
                return default;
            }
        }
        var orders = services.GetService<IOrderOperations>();
        var refunds = services.GetService<IRefundOperations>();
        // Both counts read a whole index (by status): paced, see PacedRead.
        var byStatus = orders is null ? null : await Try("orders", () => _ordersByStatus.GetAsync(now, ct));
        var due = orders is null ? null : await Try("expiry", async () => (long?)await orders.CountDueAsync(now, now.AddMinutes(1), ct));
        var overdue = orders is null ? null : await Try("expiry", () => orders.OldestOverdueAsync(now, ct));
        var outboxes = await Try("outboxes", () => OutboxesAsync(now, ct)) ?? [];
        var unacknowledged = inFlight.Configured ? await Try("management API", () => inFlight.ByQueueAsync(ct)) : null;
        var queues = await Try("broker", async () => (await deadLetters.DepthsAsync(ct))
            .Select(d => new QueueFigure(d.Module, d.Queue, d.Ready, unacknowledged?.GetValueOrDefault(d.Queue), d.Consumers, d.Errors)).ToList());
        var fulfillmentLag = orders is null ? null : await Try("fulfillment lag", () => FulfillmentLagAsync(orders, ct));
        var feed = services.GetService<IFeedOperations>();
        var feedLag = feed is null ? null : await Try("feed", async () =>
        {
            var lag = await feed.LagAsync(ct);
            return new FeedLagFigure(lag.LastSequence, lag.PublishedSequence, lag.LastSequence - lag.PublishedSequence,
                lag.OldestWaitingSince is { } since ? Math.Round(Math.Max(0, (now - since).TotalSeconds), 3) : 0);
        });
        var refundSummary = refunds is null ? null : await Try("refunds", () => _refunds.GetAsync(now, ct));
        var flashSales = services.GetService<IFlashSaleOperations>();
        var openSales = flashSales is null ? null : await Try("flash sales", () => flashSales.OpenSalesAsync(20, ct));
        var breakers = parties.Select(p => new BreakerFigure(p.Name, StateName(p.State), p.StateSince, p.Waiting)).ToList();
        return new OverviewSnapshot(now, byStatus, byStatus is null ? null : _ordersByStatus.ReadAt, due,
            overdue is { } deadline ? Math.Round((now - deadline).TotalSeconds, 1) : 0, outboxes, queues, fulfillmentLag, feedLag, breakers, refundSummary?.ByState,
            refundSummary?.OldestProcessingSince, openSales, measurements.Take(now), unavailable);
    }

    private async Task<IReadOnlyList<OutboxFigure>> OutboxesAsync(DateTime now, CancellationToken ct)
    {
        var figures = new List<OutboxFigure>();
        foreach (var queries in OutboxQueries.Of(modules))
        {
            await using var connection = await queries.Module.Db.OpenAsync(ct);
            var row = await connection.QuerySingleAsync<(long Pending, DateTime? Oldest, long Parked)>(
                new CommandDefinition(queries.Backlog, new { outbox.Value.MaxAttempts }, cancellationToken: ct));
            figures.Add(new OutboxFigure(queries.ModuleName, row.Pending, row.Parked,
                row.Oldest is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0));
        }
        return figures;
    }

    private async Task<IReadOnlyList<FulfillmentLagFigure>> FulfillmentLagAsync(IOrderOperations orders, CancellationToken ct)
    {
        var moduleByStep = catalog.All.Where(m => m.ReportedStep is not null).ToDictionary(m => m.ReportedStep!, m => m.Name.ToLowerInvariant());
        return [.. (await orders.FulfillmentLagAsync(LagSampleOrders, ct)).Select(l =>
            new FulfillmentLagFigure(moduleByStep.GetValueOrDefault(l.Step, l.Step), l.Step, l.Done, l.Pending, l.P50Ms, l.P99Ms))];
    }

    private static string StateName(BreakerState state) => state switch
    {
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "half-open",
        _ => "closed",
    };

    [LoggerMessage(LogLevel.Warning, "The console's overview could not read {Source}: {Error}")]
    private partial void LogSourceFailed(string source, string error);
}
