using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Messaging.Yielding;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Messaging;

/// <summary>How a fulfilling module gives way to slow payments, and takes its cores back once they are fast again.</summary>
public sealed class AdaptiveConcurrencyTests
{
    private readonly SteppedClock _clock = new();
    private LoadPressure _pressure = null!;
    private AdaptiveConcurrency _concurrency = null!;

    [SetUp]
    public void Create()
    {
        _pressure = new LoadPressure(Options.Create(new YieldOptions { PressurePaymentMs = 40, MinConcurrency = 2 }), _clock);
        _concurrency = new AdaptiveConcurrency(_pressure, 2, _clock);
    }

    [Test]
    public async Task Without_payments_nothing_is_limited()
    {
        await EnterAsync(200);
        Assert.That((_concurrency.InFlight, _pressure.IsHigh), Is.EqualTo((200, false)));
    }

    [Test]
    public async Task Slow_payments_halve_the_limit_down_to_the_floor_and_hold_the_rest_in_order()
    {
        await EnterAsync(16);
        Slow();
        var held = Enumerable.Range(0, 4).Select(_ => _concurrency.EnterAsync(CancellationToken.None)).ToList();
        Assert.That(_concurrency.Limit, Is.EqualTo(8), "the first adjustment halves what is in flight");
        for (var i = 0; i < 5; i++)
        {
            Slow();
            _concurrency.Exit();
        }
        Assert.That(_concurrency.Limit, Is.EqualTo(2), "never below Fulfillment:MinConcurrency");
        Assert.That(held.Select(t => t.IsCompleted), Is.All.False, "11 still in flight, over the limit: the newcomers wait");
        for (var i = 0; i < 10; i++)
        {
            _concurrency.Exit();
        }
        await held[0].WaitAsync(TimeSpan.FromSeconds(10)); // one left in flight: the first waiter may join it ...
        Assert.That((held[1].IsCompleted, held[2].IsCompleted, _concurrency.InFlight), Is.EqualTo((false, false, 2)), "... and no other");
    }

    [Test]
    public async Task Fast_payments_give_the_cores_back()
    {
        await EnterAsync(8);
        Slow();
        _concurrency.Exit();
        Assert.That(_concurrency.Limit, Is.EqualTo(3));
        for (var i = 0; i < 60; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            _pressure.Record(TimeSpan.FromMilliseconds(5));
        }
        Assert.That(_pressure.IsHigh, Is.False, "the recent mean fell under Fulfillment:PressurePaymentMs");
        _concurrency.Exit();
        Assert.That(_concurrency.Limit, Is.EqualTo(6), "doubled at the next adjustment, and on from there");
    }

    [Test]
    public void Pressure_ends_when_payments_stop()
    {
        for (var i = 0; i < 5; i++)
        {
            _pressure.Record(TimeSpan.FromMilliseconds(500));
        }
        Assert.That(_pressure.IsHigh, Is.True);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(_pressure.IsHigh, Is.False, "no payment for a second: nothing to yield to");
    }

    [Test]
    public async Task A_cancelled_wait_gives_its_turn_to_the_next()
    {
        await EnterAsync(4);
        Slow();
        using var cancel = new CancellationTokenSource();
        var cancelled = _concurrency.EnterAsync(cancel.Token);
        var next = _concurrency.EnterAsync(CancellationToken.None);
        await cancel.CancelAsync();
        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        for (var i = 0; i < 3; i++)
        {
            _concurrency.Exit();
        }
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(_concurrency.InFlight, Is.EqualTo(2), "the cancelled waiter took no place");
    }

    private async Task EnterAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _concurrency.EnterAsync(CancellationToken.None);
        }
    }

    /// <summary>Slow payments, and time for the next adjustment.</summary>
    private void Slow()
    {
        _clock.Advance(TimeSpan.FromMilliseconds(150));
        _pressure.Record(TimeSpan.FromMilliseconds(200));
    }
}
