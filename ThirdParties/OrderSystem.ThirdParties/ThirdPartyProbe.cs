using Microsoft.Extensions.Hosting;

namespace OrderSystem.ThirdParties;

/// <summary>
/// Tries each party whose breaker is open once its break is over. Its callers are all held at the gate, so without the
/// probe nothing would ever test the party again; one cheap GET through the same pipeline closes the breaker.
/// </summary>
internal sealed class ThirdPartyProbe(IEnumerable<ThirdParty> parties, TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var probing = new Dictionary<ThirdParty, Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var party in parties.Distinct())
            {
                var due = party.State != BreakerState.Closed
                    && clock.GetUtcNow() - party.StateSince >= TimeSpan.FromMilliseconds(party.Resilience.BreakDurationMs);
                if (due && (!probing.TryGetValue(party, out var running) || running.IsCompleted))
                {
                    probing[party] = party.ProbeAsync(stoppingToken);
                }
            }
            await Task.Delay(Tick, clock, stoppingToken);
        }
    }
}
