using System.Text.Json;
using System.Text.Json.Nodes;
using OrderSystem.ThirdParties.Simulator.Logistics;

namespace OrderSystem.ThirdParties.Simulator.Ledger;

/// <summary>
/// GET /ledger/{party}?orderId=: the party's entries (for one order), oldest first. A logistics entry also shows its
/// waybill's state now: status (Created, PickedUp, Cancelled), pickedUpAt and cancelledAt.
/// </summary>
internal static class LedgerApi
{
    public static void MapLedgerApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/ledger/{party}", (string party, Guid? orderId, Ledgers ledgers, Waybills waybills) =>
            !ledgers.Keeps(party) ? Problems.NoLedger(party)
            : party == Party.Logistics ? Results.Ok(ledgers.Read(party, orderId).Select(e => WithState(e, waybills)).ToList())
            : Results.Ok(ledgers.Read(party, orderId)));

    private static JsonNode WithState(JsonElement entry, Waybills waybills)
    {
        var node = JsonNode.Parse(entry.GetRawText())!.AsObject();
        if (entry.TryGetProperty("waybillId", out var id) && id.TryGetGuid(out var waybillId) && waybills.Find(waybillId) is { } state)
        {
            node["status"] = state.Status;
            node["pickedUpAt"] = state.PickedUpAt;
            node["cancelledAt"] = state.CancelledAt;
        }
        return node;
    }
}
