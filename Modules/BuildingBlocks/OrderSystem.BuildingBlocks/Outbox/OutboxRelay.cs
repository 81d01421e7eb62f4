using System.Data;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;

namespace OrderSystem.BuildingBlocks.Outbox;

/// <summary>
/// Publishes one module's outbox rows to RabbitMQ. Rows are claimed with FOR UPDATE SKIP LOCKED so several host
/// instances can relay side by side, published with broker confirms, and marked dispatched only once confirmed.
/// A crash between confirm and mark publishes a row again: consumers dedupe by message id.
/// </summary>
internal sealed partial class OutboxRelay<TModule>(
    Outbox<TModule> outbox,
    Db db,
    IBus bus,
    OutboxMessageTypes messageTypes,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxRelay<TModule>> logger) : BackgroundService
{
    private readonly OutboxOptions _options = options.Value;

    // READ COMMITTED: no gap locks, so claiming rows never blocks payments inserting new ones.
    private readonly string _claimSql = $"""
        SELECT id AS Id, message_id AS MessageId, message_type AS MessageType, payload AS Payload, trace_parent AS TraceParent
        FROM {outbox.Table}
        WHERE dispatched_at IS NULL
        ORDER BY id
        LIMIT @BatchSize
        FOR UPDATE SKIP LOCKED
        """;
    private readonly string _markDispatchedSql = $"UPDATE {outbox.Table} SET dispatched_at = @Now WHERE id IN @Ids";
    private readonly string _markFailedSql =
        $"UPDATE {outbox.Table} SET attempts = attempts + 1, last_error = @Error WHERE id IN @Ids";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (claimed, failed) = await DispatchBatchAsync(stoppingToken);
                failures = failed > 0 ? failures + 1 : 0;
                if (failed == 0 && claimed == _options.BatchSize)
                {
                    continue; // more rows are waiting
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                LogRelayFailed(outbox.Table, e.Message, e);
            }

            if (failures > 0)
            {
                await Task.Delay(Backoff(failures), clock, stoppingToken); // a broker or database outage: don't spin
            }
            else
            {
                await outbox.Signal.WaitAsync(TimeSpan.FromMilliseconds(_options.PollIntervalMs), stoppingToken);
            }
        }
    }

    internal async Task<(int Claimed, int Failed)> DispatchBatchAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            _claimSql, new { _options.BatchSize }, tx, cancellationToken: ct))).AsList();
        if (rows.Count == 0)
        {
            await tx.CommitAsync(ct);
            return (0, 0);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.PublishTimeoutMs);
        // All publishes of the batch are in flight together: awaiting confirms one by one caps the relay near 1,000 msg/s.
        var outcomes = await Task.WhenAll(rows.Select(row => PublishAsync(row, timeout.Token)));

        var published = rows.Where((_, i) => outcomes[i] is null).Select(r => r.Id).ToList();
        var failed = rows.Where((_, i) => outcomes[i] is not null).Select(r => r.Id).ToList();
        if (published.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                _markDispatchedSql, new { Now = clock.UtcNowForDatabase(), Ids = published }, tx, cancellationToken: ct));
        }
        if (failed.Count > 0)
        {
            var error = outcomes.First(o => o is not null)!;
            await connection.ExecuteAsync(new CommandDefinition(
                _markFailedSql, new { Error = error[..Math.Min(error.Length, 1000)], Ids = failed }, tx, cancellationToken: ct));
            LogPublishFailed(outbox.Table, failed.Count, error);
        }
        await tx.CommitAsync(ct);
        return (rows.Count, failed.Count);
    }

    /// <summary>Returns null when the broker confirmed the message, else the error.</summary>
    private async Task<string?> PublishAsync(OutboxRow row, CancellationToken ct)
    {
        try
        {
            var type = messageTypes.Resolve(row.MessageType);
            var message = JsonSerializer.Deserialize(row.Payload, type, Outbox<TModule>.PayloadJson)!;
            await bus.Publish(message, type, context =>
            {
                // The row's id travels as the MessageId, so a re-publish is recognisably the same message.
                context.MessageId = row.MessageId;
                if (row.TraceParent is not null)
                {
                    context.Headers.Set("traceparent", row.TraceParent);
                }
            }, ct);
            return null;
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(_options.MaxBackoffMs, 200 * Math.Pow(2, Math.Min(failures, 16))));

    [LoggerMessage(LogLevel.Warning, "Outbox relay for {Table} failed: {Error}")]
    private partial void LogRelayFailed(string table, string error, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Outbox relay for {Table} could not publish {Count} rows: {Error}")]
    private partial void LogPublishFailed(string table, int count, string error);

    private sealed record OutboxRow(long Id, Guid MessageId, string MessageType, string Payload, string? TraceParent);
}
