using Microsoft.Extensions.Options;
using OrderSystem.FlashSales;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.FlashSales;

/// <summary>The host's memory of a sold-out sale: what it refuses by itself, and for how long.</summary>
public sealed class SoldOutMemoTests
{
    private static readonly DateTime Start = new(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime SaleEnds = Start.AddHours(1);

    private SteppedClock _clock = null!;

    [SetUp]
    public void StartTheClock() => _clock = new SteppedClock(Start); // NUnit runs a fixture's tests on one instance

    [Test]
    public void A_sale_the_store_refused_is_refused_for_the_quantity_refused_and_more_but_not_less()
    {
        var memo = Memo(windowMs: 250);
        memo.Remember("s", quantity: 2, SaleEnds);

        Assert.That((memo.IsSoldOut("s", 2), memo.IsSoldOut("s", 5), memo.IsSoldOut("s", 1), memo.IsSoldOut("other", 2)),
            Is.EqualTo((true, true, false, false)), "one unit may still be left: a request for one goes to the store");
        memo.Remember("s", quantity: 1, SaleEnds);
        Assert.That(memo.IsSoldOut("s", 1), Is.True, "none left");
    }

    [Test]
    public void The_memo_lasts_its_window_and_no_longer()
    {
        var memo = Memo(windowMs: 250);
        memo.Remember("s", quantity: 1, SaleEnds);

        _clock.Advance(TimeSpan.FromMilliseconds(249));
        Assert.That(memo.IsSoldOut("s", 1), Is.True);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(memo.IsSoldOut("s", 1), Is.False, "the store decides again");
    }

    [Test]
    public void The_memo_never_outlives_the_sale_so_a_request_after_its_end_is_answered_ended_by_the_store()
    {
        var memo = Memo(windowMs: 60_000);
        memo.Remember("s", quantity: 1, endsAt: Start.AddMilliseconds(100));

        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.That(memo.IsSoldOut("s", 1), Is.True);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(memo.IsSoldOut("s", 1), Is.False);
    }

    [Test]
    public void Units_given_back_through_this_host_clear_the_memo_at_once()
    {
        var memo = Memo(windowMs: 60_000);
        memo.Remember("s", quantity: 1, SaleEnds);

        memo.Forget("s");

        Assert.That(memo.IsSoldOut("s", 1), Is.False);
    }

    [Test]
    public void A_window_of_zero_asks_the_store_every_time()
    {
        var memo = Memo(windowMs: 0);
        memo.Remember("s", quantity: 1, SaleEnds);

        Assert.That(memo.IsSoldOut("s", 1), Is.False);
    }

    [Test]
    public void Many_sales_remembered_over_time_do_not_pile_up()
    {
        var memo = Memo(windowMs: 250);
        for (var i = 0; i < 5000; i++)
        {
            memo.Remember($"sale-{i}", quantity: 1, SaleEnds);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.That(memo.Count, Is.LessThanOrEqualTo(1001), "stale sales swept");
        Assert.That(memo.IsSoldOut("sale-4999", 1), Is.True, "the fresh ones kept");
    }

    private SoldOutMemo Memo(int windowMs) => new(Options.Create(new FlashSaleOptions { SoldOutMemoMs = windowMs }), _clock);
}
