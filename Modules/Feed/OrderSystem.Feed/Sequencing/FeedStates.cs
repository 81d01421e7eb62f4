using OrderSystem.Feed.Contracts;

namespace OrderSystem.Feed.Sequencing;

/// <summary>
/// The orders' feed states the sequencer carries forward, kept in memory while it holds the lock: it is feed_orders' only
/// writer then, so what it wrote is what the table holds, and a pass reads back only the orders it has not met since it
/// took the lock. A new holder starts empty (the table is the truth). Bounded: two generations of at most
/// <c>capacity</c> orders each; an order not touched for two generations is read from the table again when it next changes.
/// </summary>
internal sealed class FeedStates(int capacity)
{
    internal sealed record Tracked(int Version, long Sequence, FeedOrder State);

    private Dictionary<Guid, Tracked> _recent = [];
    private Dictionary<Guid, Tracked> _older = [];

    public bool TryGet(Guid orderId, out Tracked tracked)
    {
        if (_recent.TryGetValue(orderId, out tracked!))
        {
            return true;
        }
        if (_older.TryGetValue(orderId, out tracked!))
        {
            Set(orderId, tracked);
            return true;
        }
        return false;
    }

    /// <summary>Only what a committed transaction wrote, or what the table holds.</summary>
    public void Set(Guid orderId, Tracked tracked)
    {
        _recent[orderId] = tracked;
        if (_recent.Count >= capacity)
        {
            _older = _recent;
            _recent = [];
        }
    }
}
