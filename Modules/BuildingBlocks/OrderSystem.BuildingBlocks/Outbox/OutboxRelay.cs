using System.Diagnostics;
using System.Globalization;
using System.Text;
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

    // Rows tried Outbox:MaxAttempts times are parked: the claim passes them by until an operator re-arms one. The
    // condition is checked on the rows the pending index (dispatched_at, id) yields, so the claim still reads that index
    // in id order; parked rows are few and only read, never locked (READ COMMITTED unlocks rows that do not match).
    private readonly string _claimSelectSql = $"""
        SELECT id AS Id, message_id AS MessageId, message_type AS MessageType, payload AS Payload, trace_parent AS TraceParent,
               attempts AS Attempts
        FROM {outbox.Table}
        WHERE dispatched_at IS NULL AND attempts < @MaxAttempts
        ORDER BY id
        LIMIT @BatchSize
        FOR UPDATE SKIP LOCKED
        """;
    private readonly string _markDispatchedSql = $"UPDATE {outbox.Table} SET dispatched_at = @Now WHERE id IN @Dispatched;";
    // A refused publish in a pass that published others counts as an attempt; reaching MaxAttempts parks the row.
    private readonly string _markFailedSql =
        $"UPDATE {outbox.Table} SET attempts = attempts + 1, last_error = @Error WHERE id IN @Failed;";
    // A pass that looks like a broker outage keeps the error for the operator but counts no attempt: an outage of any
    // length must not park the whole outbox.
    private readonly string _noteOutageSql = $"UPDATE {outbox.Table} SET last_error = @Error WHERE id IN @Failed;";

    internal string Table => outbox.Table;

    /// <summary>The claim's SELECT, for the test that checks its plan.</summary>
    internal string ClaimSelectSql => _claimSelectSql;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pass = await DispatchBatchAsync(stoppingToken);
                failures = pass.LooksLikeOutage ? failures + 1 : 0;
                if (failures == 0 && pass.Claimed == _options.BatchSize)
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
    internal async Task<RelayPass> DispatchBatchAsync(CancellationToken ct)
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

    private async Task<RelayPass> ClaimPublishMarkAsync(MySqlConnection connection, CancellationToken ct)
    {
        // One round trip opens the transaction and claims the rows; READ COMMITTED (for this transaction only) takes no
        // gap locks, so claiming never blocks payments inserting new rows.
        var rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; START TRANSACTION;" + _claimSelectSql,
            new { _options.BatchSize, _options.MaxAttempts }, cancellationToken: ct))).AsList();
        if (rows.Count == 0)
        {
            await InlineTransaction.EndAsync(connection, commit: true, ct);
            return RelayPass.Empty;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.PublishTimeoutMs);
        // All publishes of the batch are in flight together: awaiting confirms one by one caps the relay near 1,000 msg/s.
        var outcomes = await Task.WhenAll(rows.Select(row => PublishAsync(row, timeout.Token)));

        var published = rows.Where((_, i) => outcomes[i] is null).Select(r => r.Id).ToList();
        var broken = outcomes.OfType<Failure>().Where(f => f.OfTheRow).ToList();
        var refused = outcomes.OfType<Failure>().Where(f => !f.OfTheRow).ToList();
        var pass = new RelayPass(rows.Count, published.Count, broken.Count, refused.Count);
        var parked = broken.Concat(pass.LooksLikeOutage ? [] : refused.Where(f => f.Row.Attempts + 1 >= _options.MaxAttempts)).ToList();

        // The marks and the COMMIT go together in one round trip.
        await connection.ExecuteAsync(new CommandDefinition(MarkSql(published, broken, refused, pass, out var args) + "COMMIT",
            args, cancellationToken: ct));
        if (refused.Count > 0)
        {
            LogPublishFailed(outbox.Table, refused.Count, refused[0].Error);
        }
        foreach (var f in parked)
        {
            LogParked(outbox.Table, f.Row.Id, f.Row.MessageId, f.Row.MessageType, f.Error);
        }
        MessagingMetrics.OutboxPublished(outbox.Table, published.Count, pass.Failed);
        return pass;
    }

    private string MarkSql(List<long> published, List<Failure> broken, List<Failure> refused, RelayPass pass, out DynamicParameters args)
    {
        args = new DynamicParameters(new { Now = clock.UtcNowForDatabase(), Dispatched = published, _options.MaxAttempts });
        var sql = new StringBuilder();
        if (published.Count > 0)
        {
            sql.Append(_markDispatchedSql);
        }
        if (refused.Count > 0)
        {
            sql.Append(pass.LooksLikeOutage ? _noteOutageSql : _markFailedSql);
            args.Add("Failed", refused.Select(f => f.Row.Id).ToList());
            args.Add("Error", refused[0].Error);
        }
        // A broken row keeps its own error, and is parked at once: it would fail the same way on every pass. Such rows
        // are rare, so one statement each (in the same round trip) is fine. Only numbered names are spliced in.
        for (var i = 0; i < broken.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture,
                $"UPDATE {outbox.Table} SET attempts = GREATEST(attempts + 1, @MaxAttempts), last_error = @BrokenError{i} WHERE id = @Broken{i};");
            args.Add($"Broken{i}", broken[i].Row.Id);
            args.Add($"BrokenError{i}", broken[i].Error);
        }
        return sql.ToString();
    }

    /// <summary>Returns null when the broker confirmed the message, else the failure.</summary>
    private async Task<Failure?> PublishAsync(OutboxRow row, CancellationToken ct)
    {
        // A child of the span that wrote the row, so the publish (and MassTransit's send under it) joins that trace.
        using var span = StartPublishSpan(row);
        Type type;
        object message;
        try
        {
            type = messageTypes.Resolve(row.MessageType);
            message = JsonSerializer.Deserialize(row.Payload, type, Outbox.PayloadJson)
                ?? throw new JsonException("The payload is JSON null.");
        }
        catch (Exception e)
        {
            // The row itself is broken: no retry can help until someone fixes it (or deploys the type).
            span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            return new Failure(row, Describe(e), OfTheRow: true);
        }
        try
        {
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
            return new Failure(row, Describe(e), OfTheRow: false);
        }
    }

    private static string Describe(Exception e)
    {
        var error = $"{e.GetType().Name}: {e.Message}";
        return error[..Math.Min(error.Length, 1000)]; // last_error's width
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

    [LoggerMessage(LogLevel.Warning,
        "Outbox row parked in {Table}: id {Id}, message {MessageId}, type {MessageType}: {Error}. The relay no longer tries it until an operator retries it")]
    private partial void LogParked(string table, long id, Guid messageId, string messageType, string error);

    private sealed record OutboxRow(long Id, Guid MessageId, string MessageType, string Payload, string? TraceParent, int Attempts);

    /// <summary>A row that did not go out. <c>OfTheRow</c>: it failed before reaching the broker, and would fail again.</summary>
    private sealed record Failure(OutboxRow Row, string Error, bool OfTheRow);
}
