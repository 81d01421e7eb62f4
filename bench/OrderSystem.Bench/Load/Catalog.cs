using System.Collections.Concurrent;

namespace OrderSystem.Bench.Load;

/// <summary>
/// The benchmark's catalog, seeded through the admin API, and the orders that its buyers will pay: placed through the API
/// before the measured phase, since only the payment is measured.
/// </summary>
internal static class Catalog
{
    // Enough stock that no run ever sells out: every payment must succeed for the figures to mean anything.
    private const int Stock = 100_000_000;

    public static IReadOnlyList<string> Skus(int count) => [.. Enumerable.Range(1, count).Select(i => $"BENCH-{i:D5}")];

    public static async Task SeedAsync(ShopClient shop, IReadOnlyList<string> skus, CancellationToken ct)
    {
        var failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, skus.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            // A price from 1.00 to 99.98 fixed by the SKU's position, so every run pays the same amounts.
            var price = 1m + (i * 7919L % 9899) / 100m;
            if (!await shop.PutProductAsync(skus[i], price, Stock, token))
            {
                Interlocked.Increment(ref failed);
            }
        });
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {skus.Count} products could not be seeded (is Admin:ApiKey the host's?).");
        }
    }

    public static async Task<IReadOnlyList<PlacedOrder>> PlaceOrdersAsync(
        ShopClient shop, IReadOnlyList<string> skus, int count, int concurrency, string label, CancellationToken ct)
    {
        var orders = new ConcurrentBag<PlacedOrder>();
        var random = new Random(count);
        var picks = Enumerable.Range(0, count).Select(i => (User: $"bench-user-{i % 997}", Sku: skus[random.Next(skus.Count)])).ToList();
        var result = await LoadRun.RunAsync(label, picks, concurrency, TimeSpan.FromMinutes(10), null, async (pick, token) =>
        {
            var order = await shop.PlaceOrderAsync(pick.User, pick.Sku, 1, token);
            if (order is not null)
            {
                orders.Add(order);
            }
            return order is not null;
        }, ct);
        if (result.Errors > 0)
        {
            throw new InvalidOperationException($"{result.Errors} of {count} orders could not be placed.");
        }
        return [.. orders];
    }
}
