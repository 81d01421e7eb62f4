using System.Diagnostics;
using System.Text.Json;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.BuildingBlocks.Outbox;

/// <summary>
/// Publishes one module's outbox rows to RabbitMQ. Rows are claimed with FOR UPDATE SKIP LOCKED so several host
/// instances can relay side by side, published with broker confirms, and marked dispatched only once confirmed.
/// A crash between confirm and mark publishes a row again: consumers dedupe by message id.
/// </summary>
internal sealed partial class OutboxRelay(
    Outbox outbox,
    Db db,
    IBus bus,
    OutboxMessageTypes messageTypes,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private readonly OutboxOptions _options = options.Value;

    // One round trip opens the transaction and claims the rows; READ COMMITTED (for this transaction only) takes no gap
    // locks, so claiming never blocks payments inserting new rows.
    private readonly string _claimSql = $"""
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
        START TRANSACTION;
        SELECT id AS Id, message_id AS MessageId, message_type AS MessageType, payload AS Payload, trace_parent AS TraceParent
        FROM {outbox.Table}
        WHERE dispatched_at IS NULL
        ORDER BY id
        LIMIT @BatchSize
        FOR UPDATE SKIP LOCKED
        """;
    private readonly string _markDispatchedSql = $"UPDATE {outbox.Table} SET dispatched_at = @Now WHERE id IN @Dispatched;";
    private readonly string _markFailedSql =
        $"UPDATE {outbox.Table} SET attempts = attempts + 1, last_error = @Error WHERE id IN @Failed;";

    internal string Table => outbox.Table;

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
                MessagingMetrics.RelayFailed(outbox.Table);
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

    /// <summary>
    /// One pass: claim, publish, mark, in two round trips to the database (claim; marks and COMMIT), several passes per
    /// payment across the modules' relays. The transaction is an <see cref="InlineTransaction"/>.
    /// </summary>
    internal async Task<(int Claimed, int Failed)> DispatchBatchAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        try
        {
            return await ClaimPublishMarkAsync(connection, ct);
        }
        catch
        {
            await InlineTransaction.RollBackQuietlyAsync(connection);
            throw;
        }
    }

    private async Task<(int Claimed, int Failed)> ClaimPublishMarkAsync(MySqlConnection connection, CancellationToken ct)
    {
        var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            _claimSql, new { _options.BatchSize }, cancellationToken: ct))).AsList();
        if (rows.Count == 0)
        {
            await InlineTransaction.EndAsync(connection, commit: true, ct);
            return (0, 0);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.PublishTimeoutMs);
        // All publishes of the batch are in flight together: awaiting confirms one by one caps the relay near 1,000 msg/s.
        var outcomes = await Task.WhenAll(rows.Select(row => PublishAsync(row, timeout.Token)));

        var published = rows.Where((_, i) => outcomes[i] is null).Select(r => r.Id).ToList();
        var failed = rows.Where((_, i) => outcomes[i] is not null).Select(r => r.Id).ToList();
        var error = outcomes.FirstOrDefault(o => o is not null);
        // The marks and the COMMIT go together in one round trip.
        var sql = (published.Count > 0 ? _markDispatchedSql : "") + (failed.Count > 0 ? _markFailedSql : "") + "COMMIT";
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            Now = clock.UtcNowForDatabase(),
            Dispatched = published,
            Failed = failed,
            Error = error?[..Math.Min(error.Length, 1000)],
        }, cancellationToken: ct));
        if (failed.Count > 0)
        {
            LogPublishFailed(outbox.Table, failed.Count, error!);
        }
        MessagingMetrics.OutboxPublished(outbox.Table, published.Count, failed.Count);
        return (rows.Count, failed.Count);
    }

    /// <summary>Returns null when the broker confirmed the message, else the error.</summary>
    private async Task<string?> PublishAsync(OutboxRow row, CancellationToken ct)
    {
        // A child of the span that wrote the row, so the publish (and MassTransit's send under it) joins that trace.
        using var span = StartPublishSpan(row);
        try
        {
            var type = messageTypes.Resolve(row.MessageType);
            var message = JsonSerializer.Deserialize(row.Payload, type, Outbox.PayloadJson)!;
            await bus.Publish(message, type, context =>
            {
                // The row's id travels as the MessageId, so a re-publish is recognisably the same message.
                context.MessageId = row.MessageId;
                if (span is null && row.TraceParent is not null)
                {
                    // Nobody listens for spans here: hand the stored context on as it is.
                    context.Headers.Set("traceparent", row.TraceParent);
                }
            }, ct);
            return null;
        }
        catch (Exception e)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private Activity? StartPublishSpan(OutboxRow row)
    {
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        var span = Telemetry.Source.StartActivity(
            "outbox publish " + row.MessageType[(row.MessageType.LastIndexOf('.') + 1)..], ActivityKind.Producer, parent);
        span?.SetTag("messaging.message.id", row.MessageId);
        span?.SetTag("outbox.table", outbox.Table);
        return span;
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(_options.MaxBackoffMs, 200 * Math.Pow(2, Math.Min(failures, 16))));

    [LoggerMessage(LogLevel.Warning, "Outbox relay for {Table} failed: {Error}")]
    private partial void LogRelayFailed(string table, string error, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Outbox relay for {Table} could not publish {Count} rows: {Error}")]
    private partial void LogPublishFailed(string table, int count, string error);

    private sealed record OutboxRow(long Id, Guid MessageId, string MessageType, string Payload, string? TraceParent);
}
