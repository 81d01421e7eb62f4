using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;

namespace OrderSystem.Order.Expiry;

/// <summary>
/// Closes unpaid orders when their payment window ends. It sleeps until the next deadline it read (at most
/// Orders:ExpiryPollMs, so an order placed by another instance with an earlier deadline is not missed), closes what is
/// due, and goes straight on while whole batches come back. After a restart or an outage the first pass closes
/// everything that fell due meanwhile.
/// </summary>
internal sealed partial class OrderExpiryCloser(
    CloseDueOrders closer, IOptions<OrderOptions> options, TimeProvider clock, ILogger<OrderExpiryCloser> logger) : BackgroundService
{
    private readonly OrderOptions _options = options.Value;

    // Loops side by side claim disjoint batches (SKIP LOCKED): one closes while the other claims or serializes.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.ExpiryClosers).Select(_ => CloseWhileRunningAsync(stoppingToken)));

    private async Task CloseWhileRunningAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.UtcNowForDatabase();
            TimeSpan wait;
            try
            {
                var result = await closer.RunAsync(now, _options.ExpiryBatchSize, stoppingToken);
                failures = 0;
                if (result.Closed == _options.ExpiryBatchSize)
                {
                    continue; // a burst: more are due
                }
                wait = WaitFor(result.NextDue, now);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                LogPassFailed(e.Message, e);
                wait = TimeSpan.FromMilliseconds(Math.Min(500, 100 * Math.Pow(2, failures))); // an outage: try twice a second, no faster
            }
            await Task.Delay(wait, clock, stoppingToken);
        }
    }

    private TimeSpan WaitFor(DateTime? nextDue, DateTime now)
    {
        var poll = TimeSpan.FromMilliseconds(_options.ExpiryPollMs);
        return nextDue is { } due ? TimeSpan.FromTicks(Math.Clamp((due - now).Ticks, 0, poll.Ticks)) : poll;
    }

    [LoggerMessage(LogLevel.Warning, "Closing expired orders failed: {Error}")]
    private partial void LogPassFailed(string error, Exception exception);
}
