namespace OrderSystem.ThirdParties.Simulator.Payments;

/// <summary>
/// The provider's back office: ends each refund whose processing time is over with the outcome drawn when it was
/// recorded, and hands it to the webhooks. One loop for all refunds, so none depends on the request that created it.
/// </summary>
internal sealed class RefundOutcomes(Refunds refunds, RefundWebhooks webhooks, ILogger<RefundOutcomes> log) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        while (await Wait(timer, stoppingToken))
        {
            try
            {
                foreach (var ended in refunds.EndDue())
                {
                    log.LogInformation("Refund {RefundId} of payment {PaymentId} ended {Status}",
                        ended.Refund.RefundId, ended.Refund.PaymentId, ended.Refund.Status);
                    if (ended.NotifyUrl is { } url)
                    {
                        webhooks.Notify(ended.Refund, url, ended.Webhook);
                    }
                }
            }
            catch (Exception e)
            {
                // Never let one bad tick stop every refund from ending.
                log.LogError(e, "Ending refunds failed; trying again at the next tick");
            }
        }
    }

    private static async Task<bool> Wait(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
