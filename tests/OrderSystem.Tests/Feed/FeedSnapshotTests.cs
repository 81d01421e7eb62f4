using System.Net;
using System.Text.Json;
using OrderSystem.Feed.Contracts;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Feed;

/// <summary>The bootstrap: a snapshot taken while orders change, then the stream from its sequence + 1.</summary>
[NonParallelizable]
public sealed class FeedSnapshotTests
{
    [Test]
    public async Task A_snapshot_taken_under_load_and_the_stream_after_it_continue_each_order_with_no_gap_and_no_overlap()
    {
        await using var system = await TestSystem.StartAsync("feedsnapshot", settings: new Dictionary<string, string> { ["Feed:PollMs"] = "20" });
        var api = system.Api;
        var sku = await FeedTests.NewProductAsync(api, 4.00m, 10_000);
        using var load = new CancellationTokenSource();
        var placed = new List<string>();
        var busy = Task.Run(async () =>
        {
            while (!load.IsCancellationRequested)
            {
                var (id, total) = await FeedTests.PlaceAsync(api, sku, 1);
                lock (placed)
                {
                    placed.Add(id);
                }
                await api.PayAsync(id, $"pay-{id}", total);
            }
        });
        await Eventually.Until(() => Task.FromResult(placed.Count), n => n >= 20, TimeSpan.FromSeconds(30), "some orders under way");

        var reply = await api.SendRawAsync(HttpMethod.Get, "/api/admin/feed/snapshot", null, ("X-Api-Key", TestSettings.AdminKey));
        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.OK), reply.ToString());
        var lines = reply.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = JsonSerializer.Deserialize<FeedSnapshotHeader>(lines[0], FeedEvent.Json)!;
        var snapshot = lines.Skip(1).Select(l => JsonSerializer.Deserialize<FeedSnapshotOrder>(l, FeedEvent.Json)!).ToDictionary(o => o.Order.OrderId);
        Assert.That(snapshot.Values.Select(o => o.Sequence), Is.All.LessThanOrEqualTo(header.Sequence), "nothing in the snapshot is newer than its sequence");

        await Eventually.Until(() => Task.FromResult(placed.Count), n => n >= 60, TimeSpan.FromSeconds(30), "more orders after the snapshot");
        await load.CancelAsync();
        await busy;

        // The stream read from the start gives what each order was at the snapshot's sequence, and goes on from there.
        await using var reader = await FeedLog.OpenAsync(system.VirtualHost);
        var log = new FeedLog();
        await Eventually.Until(async () => { await log.DrainAsync(reader); return log.Events.Count; },
            _ => log.Latest.Count >= placed.Count && log.Events[^1].Sequence > header.Sequence, TimeSpan.FromSeconds(30), "the stream past the snapshot");
        var upToSnapshot = log.Events.Where(e => e.Sequence <= header.Sequence).GroupBy(e => e.OrderId).ToDictionary(g => g.Key, g => g.Last());
        var afterSnapshot = log.Events.Where(e => e.Sequence > header.Sequence).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Keys, Is.EquivalentTo(upToSnapshot.Keys), "the snapshot holds exactly the orders the stream had by its sequence");
            foreach (var (id, e) in upToSnapshot)
            {
                Assert.That(snapshot[id].Version, Is.EqualTo(e.Version), $"order {id}'s version in the snapshot");
                Assert.That(FeedLog.Comparable(snapshot[id].Order), Is.EqualTo(FeedLog.Comparable(e.Order)), $"order {id}'s state in the snapshot");
            }
            Assert.That(afterSnapshot[0].Sequence, Is.EqualTo(header.Sequence + 1), "the stream goes on at the snapshot's sequence + 1");
            foreach (var first in afterSnapshot.GroupBy(e => e.OrderId).Select(g => g.First()))
            {
                Assert.That(first.Version, Is.EqualTo(snapshot.TryGetValue(first.OrderId, out var s) ? s.Version + 1 : 1),
                    $"order {first.OrderId}'s first event after the snapshot");
            }
        });
    }
}
