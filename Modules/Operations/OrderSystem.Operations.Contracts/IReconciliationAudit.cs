namespace OrderSystem.Operations.Contracts;

/// <summary>
/// One module's audit of its own invariants, on its own tables. The reconciliation endpoint runs them all, so no
/// query ever joins two modules' tables.
/// </summary>
public interface IReconciliationAudit
{
    Task<IReadOnlyList<ReconciliationFinding>> AuditAsync(ReconciliationScope scope, CancellationToken ct);
}

/// <summary>What an audit looks at: fulfillment is only overdue for orders paid before <paramref name="PaidBefore"/>.</summary>
public sealed record ReconciliationScope(DateTime PaidBefore, int Limit);

/// <summary>One broken invariant: which check, in which module, about what (an order id, a SKU), and the facts.</summary>
public sealed record ReconciliationFinding(string Check, string Module, string Subject, string Detail);
