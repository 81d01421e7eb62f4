using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Isolation;

/// <summary>What the isolation scenario measured: the three phases, the drain after the hang, and the two checks.</summary>
internal sealed record IsolationRecord(
    string Costs, double Rate, double PhaseSeconds, double WarmupSeconds, IReadOnlyList<PhaseRecord> Phases,
    DrainResult Drain, LedgerCheck Ledger, IReadOnlyDictionary<string, long>? ErrorQueues, string SimulatorAtEnd,
    IReadOnlyList<string> Notes)
{
    public const string WarehouseErrorQueue = "warehouse_error";

    public PhaseRecord Before => Phases[0];
    public PhaseRecord During => Phases[1];
    public PhaseRecord After => Phases[2];

    public double PaymentP99Ratio => During.Payment.P99 / Before.Payment.P99;
    public double PointsLagP99Ratio => During.Points.P99 / Before.Points.P99;

    /// <summary>The same against the phase after the hang: a check on a baseline that might still carry the warm-up.</summary>
    public double PaymentP99RatioToAfter => During.Payment.P99 / After.Payment.P99;
    public double PointsLagP99RatioToAfter => During.Points.P99 / After.Points.P99;

    /// <summary>Messages in warehouse_error (0 when it was never declared); null when the broker could not be asked.</summary>
    public long? WarehouseErrors => ErrorQueues is null ? null : ErrorQueues.GetValueOrDefault(WarehouseErrorQueue);
}

/// <summary>
/// One phase's payments (by their start time) and, for the orders they paid, each step's lag. A step not Done by the
/// end of the run is missing from its lag figures (its count says how many were).
/// </summary>
internal sealed record PhaseRecord(
    string Name, int Payments, int Errors, LatencyStats Payment,
    LatencyStats Points, LatencyStats Coupon, LatencyStats Sms, LatencyStats Shipment);

/// <summary>Waybills in logistics' own ledger per order checked: the truth against double or lost shipments.</summary>
internal sealed record LedgerCheck(int Orders, int Checked, int ExactlyOne, int None, int MoreThanOne)
{
    public bool Sampled => Checked < Orders;
}
