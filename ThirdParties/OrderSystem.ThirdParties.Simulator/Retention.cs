using System.Collections.Concurrent;

namespace OrderSystem.ThirdParties.Simulator;

/// <summary>
/// How many of each party's most recent calls the simulator keeps: their ledger entries, their idempotency keys and
/// (logistics) their waybills. Older ones are forgotten, as a real gateway lets its idempotency keys expire: a bounded
/// heap keeps the garbage collector's pauses short, which otherwise grew with every call kept and stopped every answer
/// for hundreds of milliseconds (docs/performance.md, finding 24). Config key RetainedCallsPerParty.
/// </summary>
internal sealed record Retention(int CallsPerParty)
{
    public const int Default = 20_000;

    /// <summary>Adds the newest to the calls kept in order, and forgets (through forget) those beyond the bound.</summary>
    public void Keep<T>(ConcurrentQueue<T> inOrder, T newest, Action<T> forget)
    {
        inOrder.Enqueue(newest);
        while (inOrder.Count > CallsPerParty && inOrder.TryDequeue(out var oldest))
        {
            forget(oldest);
        }
    }

    public static Retention From(IConfiguration configuration)
    {
        var calls = configuration.GetValue("RetainedCallsPerParty", Default);
        return calls >= 1 ? new Retention(calls)
            : throw new InvalidOperationException($"RetainedCallsPerParty is {calls}; it must be at least 1.");
    }
}
