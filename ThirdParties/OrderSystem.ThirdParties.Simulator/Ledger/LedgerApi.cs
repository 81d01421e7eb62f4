namespace OrderSystem.ThirdParties.Simulator.Ledger;

/// <summary>GET /ledger/{party}?orderId=: the party's entries (for one order), oldest first.</summary>
internal static class LedgerApi
{
    public static void MapLedgerApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/ledger/{party}", (string party, Guid? orderId, Ledgers ledgers) =>
            ledgers.Keeps(party) ? Results.Ok(ledgers.Read(party, orderId)) : Problems.NoLedger(party));
}
