namespace OrderSystem.ThirdParties.Simulator.Payments;

/// <summary>
/// The payment provider. For now it has its faults (/control/payments) and its status probe (/payments/status) only.
/// Its refund API (POST /payments/refunds, idempotent through IdempotentCalls) and its ledger (Party.Payments in
/// Ledgers) come with the refund flow, in a later issue; they go here.
/// </summary>
internal static class PaymentsApi
{
    public static void MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        // The status probe is mapped with the others (StatusProbes).
    }
}
