using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OrderSystem.ServiceDefaults;

/// <summary>
/// Not ready while a relay lags: the oldest unpublished outbox row must be younger than OutboxMaxPendingAgeSeconds.
/// A short backlog is normal (rows wait for the next batch); a growing one means the broker or the relay is stuck.
/// Parked rows do not count: the relay is not behind on them, and one broken row must not take every host out of
/// service. They show in the backlog gauges (and ordersystem.outbox.parked) for the alert, and in this check's data.
/// </summary>
internal sealed class OutboxBacklogHealthCheck(OutboxBacklogMonitor monitor, IOptions<ObservabilityOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var threshold = TimeSpan.FromSeconds(options.Value.OutboxMaxPendingAgeSeconds);
        IReadOnlyList<OutboxBacklog> backlogs;
        try
        {
            backlogs = await monitor.MeasureAsync(ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The outbox backlog cannot be measured ({e.GetType().Name}).");
        }
        var data = backlogs.ToDictionary(b => b.Table,
            b => (object)new { pending = b.Pending, oldestPendingAgeSeconds = Math.Round(b.OldestAge.TotalSeconds, 1), parked = b.Parked });
        var late = backlogs.Where(b => b.OldestUnparkedAge > threshold).ToList();
        return late.Count == 0
            ? HealthCheckResult.Healthy($"Every outbox is published within {threshold.TotalSeconds:0} s.", data)
            : HealthCheckResult.Unhealthy(
                $"Outbox rows wait longer than {threshold.TotalSeconds:0} s in: " +
                string.Join(", ", late.Select(b => $"{b.Table} ({b.Pending} pending, oldest {b.OldestUnparkedAge.TotalSeconds:0} s)")) + ".",
                data: data);
    }
}
