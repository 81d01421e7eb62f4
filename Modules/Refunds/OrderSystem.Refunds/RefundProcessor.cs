using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.ThirdParties;

namespace OrderSystem.Refunds;

/// <summary>
/// Takes every refund to its end. Claims due refunds with SKIP LOCKED and a lease (so hosts never work on one refund at
/// once, and a crashed host's refunds come back when its lease lapses), then: Requested → Submitted (committed before the
/// provider is called) → submit; Submitted → query first (a lost answer or a crash may hide a refund the provider
/// has), submit under the same id only if it never arrived; Processing → query. Nothing is ever submitted under a new id.
/// </summary>
internal sealed partial class RefundProcessor(
    ModuleStore<ModuleTag> refunds, RefundTransitions transitions, ProviderOutcomes outcomes, PaymentProvider provider,
    IOptions<RefundOptions> options, TimeProvider clock, ILogger<RefundProcessor> logger) : BackgroundService
{
    private const string ClaimSql = """
        SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
        START TRANSACTION;
        SELECT refund_id FROM refunds_refunds
        WHERE status IN ('Requested', 'Submitted', 'Processing') AND next_attempt_at <= @Now
        ORDER BY next_attempt_at LIMIT @Batch FOR UPDATE SKIP LOCKED;
        """;

    private const string LeaseSql = """
        UPDATE refunds_refunds SET next_attempt_at = @Until, attempts = attempts + 1 WHERE refund_id IN @Ids;
        COMMIT;
        """;

    private readonly RefundOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                var due = await ClaimAsync(stoppingToken);
                claimed = due.Count;
                await Task.WhenAll(due.Select(id => WorkOnAsync(id, stoppingToken)));
                failures = 0;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                LogPassFailed(e.Message, e);
            }
            if (claimed == _options.BatchSize)
            {
                continue; // more may be due
            }
            var wait = failures > 0 ? TimeSpan.FromMilliseconds(Math.Min(30000, 500 * Math.Pow(2, Math.Min(failures, 6))))
                : TimeSpan.FromMilliseconds(_options.PollMs);
            await RefundSignal.WaitAsync(wait, stoppingToken);
        }
    }

    private async Task<IReadOnlyList<Guid>> ClaimAsync(CancellationToken ct)
    {
        await using var connection = await refunds.Db.OpenAsync(ct);
        try
        {
            var now = clock.UtcNowForDatabase();
            var ids = (await connection.QueryAsync<Guid>(new CommandDefinition(ClaimSql, new { Now = now, Batch = _options.BatchSize },
                cancellationToken: ct))).AsList();
            if (ids.Count == 0)
            {
                await InlineTransaction.EndAsync(connection, commit: true, ct);
                return ids;
            }
            await connection.ExecuteAsync(new CommandDefinition(LeaseSql,
                new { Until = now + TimeSpan.FromMilliseconds(_options.LeaseMs), Ids = ids }, cancellationToken: ct));
            return ids;
        }
        catch
        {
            await InlineTransaction.RollBackQuietlyAsync(connection);
            throw;
        }
    }

    private async Task WorkOnAsync(Guid refundId, CancellationToken ct)
    {
        var refund = await transitions.LoadAsync(refundId, ct);
        if (refund is null)
        {
            return;
        }
        try
        {
            switch (refund.Status)
            {
                case RefundStatus.Requested:
                    if (await transitions.MoveAsync(refund, [RefundStatus.Requested], RefundStatus.Submitted, ct,
                            nextAttemptIn: TimeSpan.FromMilliseconds(_options.LeaseMs)))
                    {
                        await SubmitAsync(refund with { Status = RefundStatus.Submitted }, ct);
                    }
                    break;
                case RefundStatus.Submitted:
                    // Maybe it reached the provider and only the answer was lost: ask before asking again.
                    var known = await provider.QueryAsync(refund.RefundId, ct);
                    if (known is null)
                    {
                        await SubmitAsync(refund, ct);
                    }
                    else
                    {
                        await ApplyAsync(refund, known.Status, ct);
                    }
                    break;
                case RefundStatus.Processing:
                    var current = await provider.QueryAsync(refund.RefundId, ct)
                        ?? throw new InvalidOperationException("The provider no longer knows a refund it accepted.");
                    await ApplyAsync(refund, current.Status, ct);
                    break;
            }
        }
        catch (ThirdPartyRejectedException e)
        {
            // The provider refuses this refund as it is: a person must look at it.
            await transitions.MoveAsync(refund, RefundStatus.InFlight, RefundStatus.ManualReview, ct, note: e.Message);
            LogRejected(refund.RefundId, e.Message);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Unreachable or ambiguous: it stays as it is (Submitted means "ask first") and is tried again later.
            var after = TimeSpan.FromMilliseconds(Math.Min(30000, 1000 * Math.Pow(2, Math.Min(refund.Attempts, 5))));
            await transitions.RetryLaterAsync(refund.RefundId, after, $"{e.GetType().Name}: {e.Message}", ct);
            LogRetry(refund.RefundId, refund.Status, after.TotalSeconds, e.Message);
        }
    }

    private async Task SubmitAsync(StoredRefund refund, CancellationToken ct)
    {
        var answer = await provider.SubmitAsync(refund, ct);
        await ApplyAsync(refund, answer.Status, ct);
    }

    private async Task ApplyAsync(StoredRefund refund, string providerStatus, CancellationToken ct)
    {
        if (!await outcomes.ApplyAsync(refund, providerStatus, ct))
        {
            throw new InvalidOperationException($"The provider answered an unknown refund status '{providerStatus}'.");
        }
    }

    [LoggerMessage(LogLevel.Warning, "Refund pass failed: {Error}")]
    private partial void LogPassFailed(string error, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Refund {RefundId} refused by the provider, now in ManualReview: {Error}")]
    private partial void LogRejected(Guid refundId, string error);

    [LoggerMessage(LogLevel.Information, "Refund {RefundId} ({Status}) tried again in {Seconds} s: {Error}")]
    private partial void LogRetry(Guid refundId, string status, double seconds, string error);
}
