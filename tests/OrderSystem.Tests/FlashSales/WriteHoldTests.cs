using OrderSystem.FlashSales;

namespace OrderSystem.Tests.FlashSales;

/// <summary>How long the order writer holds a read batch back before writing it (FlashSales:WriteDelayMs, decision 0033).</summary>
public sealed class WriteHoldTests
{
    private const int DelayMs = 1000;
    private const long AdmittedMs = 1_800_000_000_000;

    [Test]
    public void A_batch_is_held_until_its_youngest_ticket_is_the_delay_old_whole_milliseconds_up()
    {
        Assert.That(OrderWriter.HoldFor(AdmittedMs, nowMs: AdmittedMs + 300, TimeSpan.Zero, DelayMs), Is.EqualTo(TimeSpan.FromMilliseconds(701)));
        Assert.That(OrderWriter.HoldFor(AdmittedMs, nowMs: AdmittedMs + 1000, TimeSpan.FromMilliseconds(700), DelayMs), Is.EqualTo(TimeSpan.FromMilliseconds(1)),
            "a timer that fired early is made up for");
        Assert.That(OrderWriter.HoldFor(AdmittedMs, nowMs: AdmittedMs + 1001, TimeSpan.FromMilliseconds(701), DelayMs), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void A_batch_admitted_long_ago_or_with_no_delay_is_written_at_once()
    {
        Assert.That(OrderWriter.HoldFor(AdmittedMs, nowMs: AdmittedMs + 60_000, TimeSpan.Zero, DelayMs), Is.EqualTo(TimeSpan.Zero));
        Assert.That(OrderWriter.HoldFor(AdmittedMs, nowMs: AdmittedMs, TimeSpan.Zero, delayMs: 0), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void A_ticket_stamped_by_a_clock_an_hour_ahead_holds_the_writer_twice_the_delay_at_most()
    {
        var aheadMs = AdmittedMs + 3_600_000;

        Assert.That(OrderWriter.HoldFor(aheadMs, nowMs: AdmittedMs, TimeSpan.Zero, DelayMs), Is.EqualTo(TimeSpan.FromMilliseconds(DelayMs)), "one wait is at most the delay");
        Assert.That(OrderWriter.HoldFor(aheadMs, nowMs: AdmittedMs + 1000, TimeSpan.FromMilliseconds(1000), DelayMs), Is.EqualTo(TimeSpan.FromMilliseconds(DelayMs)));
        Assert.That(OrderWriter.HoldFor(aheadMs, nowMs: AdmittedMs + 1500, TimeSpan.FromMilliseconds(1500.2), DelayMs), Is.EqualTo(TimeSpan.FromMilliseconds(499)));
        Assert.That(OrderWriter.HoldFor(aheadMs, nowMs: AdmittedMs + 2000, TimeSpan.FromMilliseconds(2000), DelayMs), Is.EqualTo(TimeSpan.Zero), "held twice the delay: written");
    }
}
