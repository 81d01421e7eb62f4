using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OrderSystem.FlashSales;

/// <summary>
/// What this host last heard from the store that a sale is sold out, kept for FlashSales:SoldOutMemoMs (never past the
/// sale's end): most of a wave arrives after the units are gone, and its refusals are then answered without a store
/// round trip (decision 0032). A unit given back to the sale through this host clears the memo at once; one given back
/// through another host is offered here at most that long later.
/// </summary>
internal sealed class SoldOutMemo(IOptions<FlashSaleOptions> options, TimeProvider clock)
{
    // Beyond this many sales remembered, the stale ones are swept (sales are few; this only bounds a long-lived host).
    private const int SweepAbove = 1000;

    private readonly ConcurrentDictionary<string, Entry> _sales = new(StringComparer.Ordinal);

    /// <summary>Sales remembered, stale ones not yet swept included.</summary>
    public int Count => _sales.Count;

    /// <param name="Quantity">The smallest quantity refused: the store had fewer units left than this.</param>
    private sealed record Entry(int Quantity, DateTime Until);

    public bool IsSoldOut(string saleId, int quantity) =>
        _sales.TryGetValue(saleId, out var entry) && Now < entry.Until && quantity >= entry.Quantity;

    /// <summary>The store refused <paramref name="quantity"/> units as sold out, in a sale that ends at <paramref name="endsAt"/>.</summary>
    public void Remember(string saleId, int quantity, DateTime endsAt)
    {
        var window = TimeSpan.FromMilliseconds(options.Value.SoldOutMemoMs);
        if (window <= TimeSpan.Zero)
        {
            return;
        }
        // Past the end the store answers "ended", not "sold-out": the memo must not outlive the sale.
        var until = Min(Now + window, endsAt);
        _sales.AddOrUpdate(saleId, new Entry(quantity, until),
            (_, known) => Now < known.Until ? known with { Quantity = Math.Min(known.Quantity, quantity), Until = until } : new Entry(quantity, until));
        if (_sales.Count > SweepAbove)
        {
            Sweep();
        }
    }

    /// <summary>Units went back to the sale: the store decides again.</summary>
    public void Forget(string saleId) => _sales.TryRemove(saleId, out _);

    private void Sweep()
    {
        var now = Now;
        foreach (var (saleId, entry) in _sales)
        {
            if (now >= entry.Until)
            {
                _sales.TryRemove(KeyValuePair.Create(saleId, entry));
            }
        }
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
