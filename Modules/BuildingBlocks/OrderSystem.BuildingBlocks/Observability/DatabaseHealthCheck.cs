using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrderSystem.BuildingBlocks.Database;

namespace OrderSystem.BuildingBlocks.Observability;

/// <summary>Ready only while MariaDB answers: every request and every consumer needs it.</summary>
internal sealed class DatabaseHealthCheck(Db db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await db.OpenAsync(ct);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
            return HealthCheckResult.Healthy("MariaDB answers.");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The exception's type only: its message could name the server, never worth leaking to an anonymous probe.
            return HealthCheckResult.Unhealthy($"MariaDB does not answer ({e.GetType().Name}).");
        }
    }
}
