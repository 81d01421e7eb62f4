using MassTransit.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.ServiceDefaults;

/// <summary>What every OrderSystem host process has, as in eShop's ServiceDefaults.</summary>
public static class ServiceDefaultsSetup
{
    private const string ReadyTag = "ready";

    /// <summary>
    /// Traces (ASP.NET Core, MassTransit, MySqlConnector and our own spans), metrics (a Prometheus scrape endpoint),
    /// health checks, OTLP export when Observability:OtlpEndpoint is set, the OpenAPI document, and problem+json errors.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Observability");
        var options = section.Get<ObservabilityOptions>() ?? new ObservabilityOptions();
        builder.Services.Configure<ObservabilityOptions>(section);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.AddApiDocs();

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(Telemetry.Name))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new RootSampler()))
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = http => !IsOperationsPath(http.Request.Path))
                .AddSource(Telemetry.Name, "MassTransit", "MySqlConnector"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                // System.Runtime: the runtime's own (GC pauses, JIT time, thread-pool queue); read only when scraped.
                .AddMeter(Telemetry.Name, InstrumentationOptions.MeterName, "System.Runtime")
                // No response cache: a scrape every few seconds is cheap, and each one should show the values of now.
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            var protocol = options.OtlpProtocol.Equals("http/protobuf", StringComparison.OrdinalIgnoreCase)
                ? OtlpExportProtocol.HttpProtobuf
                : OtlpExportProtocol.Grpc;
            telemetry.UseOtlpExporter(protocol, new Uri(options.OtlpEndpoint));
        }

        // MassTransit adds its own bus check under the same "ready" tag.
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5));
        return builder;
    }

    /// <summary>
    /// Measures every outbox's backlog on a timer (a hosted service) for the gauges, and makes readiness fail while the
    /// oldest unpublished row is older than Observability:OutboxMaxPendingAgeSeconds.
    /// </summary>
    public static IHostApplicationBuilder AddOutboxBacklogMonitor(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OutboxBacklogMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxBacklogMonitor>());
        builder.Services.AddHealthChecks()
            .AddCheck<OutboxBacklogHealthCheck>("outbox", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5));
        return builder;
    }

    /// <summary>/health/live, /health/ready, /metrics, /openapi/v1.json and /docs.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Live: the process answers HTTP. No dependency is checked, so an outage never gets the process restarted.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponse.WriteAsync,
            // MassTransit calls a bus whose every endpoint lost the broker "Degraded": that is not ready.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapApiDocs();
        return app;
    }

    // Probes and scrapes arrive every few seconds; a trace for each would bury the orders' traces.
    private static bool IsOperationsPath(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
}
