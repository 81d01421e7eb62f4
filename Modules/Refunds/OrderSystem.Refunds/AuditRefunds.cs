using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Operations.Contracts;
using OrderSystem.ThirdParties;

namespace OrderSystem.Refunds;

/// <summary>
/// The money checks, with the provider's own ledger as the judge: no payment refunded above its capture, and every
/// refund we call Succeeded is one the provider executed, and the reverse. Refunds ended after the scope's cutoff are
/// not compared yet, nor those still in flight here whose result reached the provider less than 5 minutes earlier.
/// </summary>
internal sealed class AuditRefunds(ModuleStore<ModuleTag> refunds, [FromKeyedServices(PaymentProvider.Party)] ThirdParty provider)
    : IReconciliationAudit
{
    private const string OverCapturedSql = """
        SELECT p.payment_id AS PaymentId, p.captured AS Captured, SUM(r.amount) AS Refunded
        FROM refunds_payments p JOIN refunds_refunds r ON r.payment_id = p.payment_id AND r.status <> 'Closed'
        GROUP BY p.payment_id, p.captured HAVING SUM(r.amount) > p.captured LIMIT @Limit
        """;

    private const string RefundsSql = """
        SELECT refund_id AS RefundId, payment_id AS PaymentId, order_id AS OrderId, status AS Status, amount AS Amount,
            completed_at AS CompletedAt
        FROM refunds_refunds
        """;

    private static readonly TimeSpan InFlightGrace = TimeSpan.FromMinutes(5);

    public async Task<IReadOnlyList<ReconciliationFinding>> AuditAsync(ReconciliationScope scope, CancellationToken ct)
    {
        var module = RefundsModule.Declaration.Name;
        await using var connection = await refunds.Db.OpenAsync(ct);
        var findings = (await connection.QueryAsync<(string PaymentId, decimal Captured, decimal Refunded)>(new CommandDefinition(
                OverCapturedSql, new { scope.Limit }, cancellationToken: ct)))
            .Select(r => new ReconciliationFinding("refunded-above-capture", module, r.PaymentId,
                $"captured {r.Captured:0.00}, refunds {r.Refunded:0.00}")).ToList();

        var ours = (await connection.QueryAsync<(Guid RefundId, string PaymentId, Guid OrderId, string Status, decimal Amount, DateTime? CompletedAt)>(
            new CommandDefinition(RefundsSql, cancellationToken: ct))).ToDictionary(r => r.RefundId);
        var ourPayments = ours.Values.Select(r => (r.PaymentId, r.OrderId)).ToHashSet();
        var ledger = await ProviderLedgerAsync(ct);
        if (ledger is null)
        {
            findings.Add(new ReconciliationFinding("provider-ledger-unavailable", module, PaymentProvider.Party,
                "the provider's refund ledger could not be read; the money checks against it were skipped"));
            return findings;
        }
        // The provider's ledger is the merchant account's, shared with other systems (and other test databases) whose
        // payment ids may repeat ours: compare the refunds of the (payment, order) pairs this system refunds.
        var executed = ledger.Where(e => e.Status == "SUCCESS" && ourPayments.Contains((e.PaymentId, e.OrderId)))
            .ToDictionary(e => e.RefundId);
        foreach (var (id, refund) in ours)
        {
            if (refund.Status == RefundStatus.Succeeded && refund.CompletedAt < scope.PaidBefore && !executed.ContainsKey(id))
            {
                findings.Add(new("refund-not-executed", module, id.ToString(), $"Succeeded here, absent from the provider's ledger ({refund.Amount:0.00})"));
            }
        }
        foreach (var (id, entry) in executed)
        {
            var known = ours.TryGetValue(id, out var refund);
            // A refund still in flight here learns the provider's answer by webhook or by its next query: only one
            // whose answer is older than that could take is behind.
            var cutoff = RefundStatus.InFlight.Contains(refund.Status) ? scope.PaidBefore - InFlightGrace : scope.PaidBefore;
            if (!known || (refund.Status != RefundStatus.Succeeded && entry.CompletedAt < cutoff))
            {
                findings.Add(new("refund-not-recorded", module, id.ToString(),
                    $"executed by the provider ({entry.Amount:0.00}), {(known ? "here " + refund.Status : "unknown here")}"));
            }
            else if (refund.Amount != entry.Amount)
            {
                findings.Add(new("refund-amount-differs", module, id.ToString(), $"here {refund.Amount:0.00}, provider {entry.Amount:0.00}"));
            }
        }
        return findings.Take(scope.Limit).ToList();
    }

    private async Task<List<LedgerEntry>?> ProviderLedgerAsync(CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            return await provider.Client.GetFromJsonAsync<List<LedgerEntry>>("ledger/refunds", timeout.Token);
        }
        catch (Exception) when (!ct.IsCancellationRequested) // unreachable, breaker open, timed out or unreadable: reported as such
        {
            return null;
        }
    }

    private sealed record LedgerEntry(Guid RefundId, string PaymentId, Guid OrderId, string Status, decimal Amount, DateTime? CompletedAt);
}
