using System.Diagnostics;
using OrderSystem.BuildingBlocks.Outbox;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>The commit's wake-up of its relay: it may never fail the commit, and no wake-up may be lost.</summary>
public sealed class OutboxSignalTests
{
    [Test]
    public async Task Wake_ups_from_many_commits_while_the_relay_waits_with_short_timeouts_never_throw()
    {
        var signal = new OutboxSignal();
        using var stop = new CancellationTokenSource();
        var wakes = 0;
        // The relay's side: waits that time out about as often as they are woken, each followed by a short pass. The old
        // semaphore failed when a commit released it just as a wait timed out and another commit came during the pass.
        var relay = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await signal.WaitAsync(TimeSpan.FromMilliseconds(1), CancellationToken.None))
                {
                    Interlocked.Increment(ref wakes);
                }
                Spin(TimeSpan.FromMicroseconds(300)); // the relay's pass
            }
        });
        // Commits at irregular intervals around a millisecond for five seconds, so that some land just as a wait times out.
        var commits = Enumerable.Range(0, 2).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            var until = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < until)
            {
                signal.Notify();
                Spin(TimeSpan.FromMicroseconds(random.Next(0, 2000)));
            }
        })).ToArray();

        Assert.DoesNotThrowAsync(() => Task.WhenAll(commits), "a commit's wake-up must never throw");
        await stop.CancelAsync();
        await relay;
        Assert.That(wakes, Is.GreaterThan(0));
    }

    private static void Spin(TimeSpan duration)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(20);
        }
    }

    [Test]
    public async Task A_wake_up_during_the_relays_pass_wakes_its_next_wait_and_only_that_one()
    {
        var signal = new OutboxSignal();

        signal.Notify();
        signal.Notify(); // a second commit while one wake-up is pending

        Assert.That(await signal.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None), Is.True, "woken by the pending wake-up");
        Assert.That(await signal.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None), Is.False, "one pending wake-up, not two");
    }

    [Test]
    public async Task A_wake_up_ends_a_wait_in_progress()
    {
        var signal = new OutboxSignal();
        var waiting = signal.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

        signal.Notify();

        Assert.That(await waiting.WaitAsync(TimeSpan.FromSeconds(5)), Is.True);
    }
}
