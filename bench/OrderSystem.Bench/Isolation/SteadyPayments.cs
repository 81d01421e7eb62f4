using System.Diagnostics;
using OrderSystem.Bench.Load;

namespace OrderSystem.Bench.Isolation;

/// <summary>One payment: when it started (this machine's UTC clock), how long the buyer waited, and whether it was paid.</summary>
internal sealed record PaymentSample(Guid OrderId, DateTime StartedAt, double Ms, bool Paid);

/// <summary>
/// Open-loop payments at a fixed rate, each with its start time, so that a run can be cut into phases afterwards. Unlike
/// <see cref="LoadRun"/> no number of buyers caps the payments in flight: a slow answer never delays the next arrival.
/// </summary>
internal static class SteadyPayments
{
    public static async Task<IReadOnlyList<PaymentSample>> RunAsync(
        string label, ShopClient shop, IReadOnlyList<PlacedOrder> orders, double rate, TimeSpan duration, CancellationToken ct)
    {
        var count = (int)Math.Min(orders.Count, Math.Floor(rate * duration.TotalSeconds));
        var samples = new PaymentSample[count];
        var done = 0;
        var errors = 0;
        var clock = Stopwatch.StartNew();
        using var progress = new Progress(label, count, () => Volatile.Read(ref done), () => Volatile.Read(ref errors), clock);
        var inFlight = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            // Payment i is due at i / rate, whatever happened to the ones before it.
            var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct);
            }
            var (index, order) = (i, orders[i]);
            inFlight.Add(Task.Run(async () =>
            {
                var startedAt = DateTime.UtcNow;
                var started = Stopwatch.GetTimestamp();
                bool paid;
                try
                {
                    paid = await shop.PayAsync(order, ct);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    paid = false;
                }
                samples[index] = new PaymentSample(order.OrderId, startedAt, Stopwatch.GetElapsedTime(started).TotalMilliseconds, paid);
                if (paid)
                {
                    Interlocked.Increment(ref done);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }, CancellationToken.None));
        }
        await Task.WhenAll(inFlight);
        progress.Finish();
        return samples;
    }
}
