using System.Data;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Operations;

internal sealed class RetentionOptions
{
    /// <summary>Dispatched outbox rows older than this are deleted; rows not yet dispatched never are.</summary>
    public int OutboxDispatchedAgeHours { get; set; } = 168;

    /// <summary>
    /// Inbox rows older than this are deleted. A redelivery older than this is no longer caught by the inbox, only by
    /// each module's unique key on the order: keep it well above any realistic redelivery delay.
    /// </summary>
    public int InboxAgeHours { get; set; } = 168;

    public int BatchSize { get; set; } = 500;

    public int IntervalMinutes { get; set; } = 60;
}

/// <summary>
/// Trims dispatched outbox rows and old inbox rows in small batches. Each batch is its own short READ COMMITTED
/// transaction: no gap locks, so the payments inserting new outbox rows at the other end of the index never wait.
/// </summary>
internal sealed partial class MessageRetention(
    IEnumerable<ModuleStore> modules, IOptions<RetentionOptions> options,
    TimeProvider clock, ILogger<MessageRetention> logger) : BackgroundService
{
    private readonly RetentionOptions _options = options.Value;

    internal sealed record Result(string Table, long Deleted);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(Math.Max(1, _options.IntervalMinutes)), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(e.Message, e); // an outage: the next tick tries again
            }
        }
    }

    public async Task<IReadOnlyList<Result>> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.UtcNowForDatabase();
        var results = new List<Result>();
        foreach (var outbox in OutboxQueries.Of(modules))
        {
            results.Add(new(outbox.Module.Outbox.Table, await DeleteInBatchesAsync(outbox.Module.Db, outbox.DeleteDispatched,
                now.AddHours(-_options.OutboxDispatchedAgeHours), ct)));
        }
        foreach (var module in modules.Where(m => m.HasInbox))
        {
            var inbox = SqlIdentifier.Require(module.Inbox.Name);
            results.Add(new(inbox, await DeleteInBatchesAsync(module.Db,
                $"DELETE FROM {inbox} WHERE processed_at < @Cutoff ORDER BY processed_at LIMIT @Batch",
                now.AddHours(-_options.InboxAgeHours), ct)));
        }
        return results;
    }

    private async Task<long> DeleteInBatchesAsync(Db db, string sql, DateTime cutoff, CancellationToken ct)
    {
        long total = 0;
        int deleted;
        do
        {
            await using var connection = await db.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            deleted = await connection.ExecuteAsync(new CommandDefinition(sql, new { Cutoff = cutoff, Batch = _options.BatchSize }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            total += deleted;
        }
        while (deleted == _options.BatchSize);
        return total;
    }

    /// <summary>POST /api/admin/retention/run: one pass now, for an operator who does not want to wait for the timer.</summary>
    public static async Task<IResult> Handle(MessageRetention retention, CancellationToken ct) =>
        TypedResults.Ok(await retention.RunOnceAsync(ct));

    [LoggerMessage(LogLevel.Warning, "Message retention failed: {Error}")]
    private partial void LogFailed(string error, Exception exception);
}
