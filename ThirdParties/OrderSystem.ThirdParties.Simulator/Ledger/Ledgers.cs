using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrderSystem.ThirdParties.Simulator.Ledger;

/// <summary>
/// What each party really did, in memory, in the order it happened: the truth a test compares the host's own records
/// with. One entry per piece of work; a replayed key adds none. Only the most recent calls are kept (<see cref="Retention"/>).
/// </summary>
internal sealed class Ledgers(Retention retention)
{
    // The payment provider keeps its ledger of refunds itself (Payments/Refunds.cs, GET /ledger/refunds): a refund
    // changes state after it is recorded, and this ledger only appends.
    private readonly Dictionary<string, Queue<(Guid OrderId, JsonElement Entry)>> _entries = new()
    {
        [Party.Sms] = [],
        [Party.Logistics] = [],
    };
    private readonly Lock _lock = new();

    public bool Keeps(string party) => _entries.ContainsKey(party);

    /// <summary>An entry is {"key","orderId","at"} followed by the fields of the answer.</summary>
    public void Record(string party, string key, Guid orderId, DateTimeOffset at, JsonElement answer)
    {
        var entry = new JsonObject { ["key"] = key, ["orderId"] = orderId, ["at"] = at };
        foreach (var field in answer.EnumerateObject().Where(f => !entry.ContainsKey(f.Name)))
        {
            entry[field.Name] = JsonNode.Parse(field.Value.GetRawText());
        }
        var element = JsonSerializer.SerializeToElement(entry);
        lock (_lock)
        {
            var entries = _entries[party];
            entries.Enqueue((orderId, element));
            if (entries.Count > retention.CallsPerParty)
            {
                entries.Dequeue();
            }
        }
    }

    public IReadOnlyList<JsonElement> Read(string party, Guid? orderId)
    {
        lock (_lock)
        {
            return [.. _entries[party].Where(e => orderId is null || e.OrderId == orderId).Select(e => e.Entry)];
        }
    }
}
