using System.Data;
using Dapper;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;
using OrderSystem.Operations.Contracts;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Order;

/// <summary>
/// Order's audit: paid orders whose fulfillment is still incomplete after the grace period, and stock that does not add
/// up (what Inventory says payments deducted, per SKU, against the quantities of paid orders), and cancelled or expired
/// orders that hold a payment without its refund (asked through Refunds' port). The stock side is read
/// through Inventory's port, in the same snapshot, so a payment committing meanwhile cannot fake a mismatch.
/// </summary>
internal sealed class AuditOrders(ModuleStore<ModuleTag> orders, IStock stock, IRefundRequests refunds, ModuleCatalog modules)
    : IReconciliationAudit
{
    private const string IncompleteSql = """
        SELECT o.id AS OrderId, o.paid_at AS PaidAt, COUNT(f.step) AS Done
        FROM order_orders o LEFT JOIN order_fulfillment f ON f.order_id = o.id AND f.status = 'Done'
        WHERE o.status = 'Paid' AND o.paid_at < @PaidBefore
        GROUP BY o.id, o.paid_at HAVING COUNT(f.step) < @Steps
        ORDER BY o.paid_at LIMIT @Limit
        """;

    // Every order ever paid (paid_at is set by the payment only), cancelled ones too: Inventory's deducted counts every
    // deduction and keeps what cancellations give back apart, so the two never differ while a compensation is in flight.
    private const string SoldSql = """
        SELECT i.sku AS Sku, SUM(i.quantity) AS Sold FROM order_items i JOIN order_orders o ON o.id = i.order_id
        WHERE o.paid_at IS NOT NULL GROUP BY i.sku
        """;

    // Orders that hold a payment they will never keep: each must have its refund. The (status, expires_at) index serves it.
    private const string UnkeptPaymentsSql = """
        SELECT id AS OrderId, status AS Status, payment_id AS PaymentId FROM order_orders
        WHERE status IN ('Cancelled', 'Expired') AND payment_id IS NOT NULL LIMIT 10000
        """;

    // A refund change waits for its predecessor milliseconds; one still waiting past the grace waits for a change that
    // failed into Order's error queue, and the feed shows none of the refund's later states until it is sent again.
    private const string HeldRefundChangesSql = """
        SELECT refund_id AS RefundId, MIN(version) AS Version, MIN(occurred_at) AS OccurredAt FROM order_refund_changes
        WHERE NOT recorded AND occurred_at < @PaidBefore GROUP BY refund_id ORDER BY MIN(occurred_at) LIMIT @Limit
        """;

    // Every module declaring a step, wherever it runs.
    private int StepCount => modules.All.Count(m => m.ReportedStep is not null);

    public async Task<IReadOnlyList<ReconciliationFinding>> AuditAsync(ReconciliationScope scope, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var incomplete = await connection.QueryAsync<(Guid OrderId, DateTime PaidAt, long Done)>(
            new CommandDefinition(IncompleteSql, new { scope.PaidBefore, scope.Limit, Steps = StepCount }, tx, cancellationToken: ct));
        var sold = (await connection.QueryAsync<(string Sku, decimal Sold)>(new CommandDefinition(SoldSql, transaction: tx, cancellationToken: ct)))
            .ToDictionary(r => r.Sku, r => (long)r.Sold, StringComparer.Ordinal);
        var deducted = await stock.GetDeductedAsync(tx, ct);
        var unkept = (await connection.QueryAsync<(Guid OrderId, string Status, string PaymentId)>(
            new CommandDefinition(UnkeptPaymentsSql, transaction: tx, cancellationToken: ct))).AsList();
        var held = await connection.QueryAsync<(Guid RefundId, int Version, DateTime OccurredAt)>(
            new CommandDefinition(HeldRefundChangesSql, new { scope.PaidBefore, scope.Limit }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        // After the snapshot: a refund is written with its cause, so one seen there is here too.
        var refunded = await refunds.RefundedPaymentsAsync(connection, [.. unkept.Select(o => o.PaymentId)], ct);

        var findings = incomplete.Select(o => new ReconciliationFinding("fulfillment-incomplete", OrderModule.Declaration.Name, o.OrderId.ToString(),
            $"paid at {o.PaidAt:O}, {o.Done} of {StepCount} steps done")).ToList();
        findings.AddRange(unkept.Where(o => !refunded.Contains(o.PaymentId)).Take(scope.Limit).Select(o => new ReconciliationFinding(
            "payment-not-refunded", OrderModule.Declaration.Name, o.OrderId.ToString(), $"{o.Status} with payment {o.PaymentId} and no refund")));
        findings.AddRange(held.Select(h => new ReconciliationFinding("refund-change-held", OrderModule.Declaration.Name, h.RefundId.ToString(),
            $"version {h.Version} (of {h.OccurredAt:O}) waits for an earlier change of the refund, so the feed shows none of its later states")));
        foreach (var sku in sold.Keys.Union(deducted.Keys).Order(StringComparer.Ordinal).Take(scope.Limit))
        {
            var (paid, taken) = (sold.GetValueOrDefault(sku), deducted.GetValueOrDefault(sku));
            if (paid != taken)
            {
                findings.Add(new ReconciliationFinding("stock-mismatch", OrderModule.Declaration.Name, sku,
                    $"paid orders hold {paid}, Inventory deducted {taken}"));
            }
        }
        return findings;
    }
}
