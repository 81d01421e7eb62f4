using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.ServiceDefaults;

/// <summary>Ready only while every database of this process's modules answers: every request and consumer needs one.</summary>
internal sealed class DatabaseHealthCheck(IEnumerable<ModuleStore> modules) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        foreach (var db in modules.Select(m => m.Db).Distinct())
        {
            try
            {
                await using var connection = await db.OpenAsync(ct);
                await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The exception's type only: its message could name the server, never worth leaking to an anonymous probe.
                return HealthCheckResult.Unhealthy($"MariaDB does not answer for database {db.Database} ({e.GetType().Name}).");
            }
        }
        return HealthCheckResult.Healthy("MariaDB answers.");
    }
}
