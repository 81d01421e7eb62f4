using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Messaging.Yielding;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Messaging;

/// <summary>When a process counts as taking a peak of foreground requests, and how long fulfillment then waits.</summary>
public sealed class ForegroundPeakTests
{
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(3000);

    private SteppedClock _clock = null!;

    [SetUp]
    public void StartTheClock() => _clock = new SteppedClock();

    [Test]
    public void Requests_below_the_peak_rate_are_no_peak()
    {
        var peak = Peak(requestsPerSecond: 500);
        for (var i = 0; i < 100; i++)
        {
            peak.Note();
            _clock.Advance(TimeSpan.FromMilliseconds(2.5)); // 400/s: 40 in every tenth of a second
        }
        Assert.That((peak.IsOn, peak.HoldFor(Now)), Is.EqualTo((false, TimeSpan.Zero)));
    }

    [Test]
    public void The_peak_rate_reached_within_a_tenth_of_a_second_starts_a_peak_at_once()
    {
        var peak = Peak(requestsPerSecond: 500);
        for (var i = 0; i < 49; i++)
        {
            peak.Note();
        }
        Assert.That(peak.IsOn, Is.False, "49 in a tenth of a second is 490/s");
        peak.Note();
        Assert.That(peak.IsOn, Is.True, "the 50th");
    }

    [Test]
    public void A_peak_lasts_a_second_after_the_requests_fall_below_its_rate()
    {
        var peak = Peak(requestsPerSecond: 500);
        Burst(peak);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.That(peak.IsOn, Is.True);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(peak.IsOn, Is.False);
    }

    [Test]
    public void During_a_peak_a_message_waits_until_the_hold_after_its_sending()
    {
        var peak = Peak(requestsPerSecond: 500);
        Burst(peak);
        Assert.That(peak.HoldFor(Now), Is.EqualTo(Hold), "sent just now");
        Assert.That(peak.HoldFor(Now.AddMilliseconds(-1200)), Is.EqualTo(TimeSpan.FromMilliseconds(1800)), "sent 1.2 s ago");
        Assert.That(peak.HoldFor(Now.AddSeconds(-5)), Is.EqualTo(TimeSpan.Zero), "waited its hold already, in the queue");
        Assert.That(peak.HoldFor(Now.AddHours(1)), Is.EqualTo(Hold), "a sender's clock far ahead holds it no longer than the hold");
        Assert.That(peak.HoldFor(null), Is.EqualTo(Hold), "no sending time: as if sent now");
    }

    [Test]
    public void A_hold_of_zero_turns_the_hold_off()
    {
        var peak = Peak(requestsPerSecond: 500, holdMs: 0);
        Burst(peak);
        Assert.That((peak.IsOn, peak.HoldFor(Now)), Is.EqualTo((true, TimeSpan.Zero)));
    }

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private static void Burst(ForegroundPeak peak)
    {
        for (var i = 0; i < 60; i++)
        {
            peak.Note();
        }
        Assert.That(peak.IsOn, Is.True);
    }

    private ForegroundPeak Peak(int requestsPerSecond, int holdMs = 3000) =>
        new(Options.Create(new YieldOptions { PeakRequestsPerSecond = requestsPerSecond, PeakHoldMs = holdMs }), _clock);
}
