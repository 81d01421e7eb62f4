using OrderSystem.Feed.Contracts;

namespace OrderSystem.Feed.Client;

/// <summary>
/// What a consumer does with each event's sequence: the next one is taken, one already seen is a re-publish of the same
/// event (after a crash of the publisher) and is dropped, and one further on is a gap: something was lost.
/// </summary>
public sealed class SequenceCheck(long lastSeen)
{
    public long LastSeen { get; private set; } = lastSeen;

    /// <summary>True to take the event, false to drop it as a repeat; throws on a gap.</summary>
    public bool Accept(FeedEvent e)
    {
        if (e.Sequence <= LastSeen)
        {
            return false;
        }
        if (LastSeen > 0 && e.Sequence != LastSeen + 1)
        {
            throw new FeedGapException(LastSeen, e.Sequence);
        }
        LastSeen = e.Sequence;
        return true;
    }
}

public sealed class FeedGapException(long lastSeen, long next)
    : Exception($"The feed has a gap: after sequence {lastSeen} came {next}.")
{
    public long LastSeen { get; } = lastSeen;

    public long Next { get; } = next;
}
