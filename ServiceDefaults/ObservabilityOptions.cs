namespace OrderSystem.ServiceDefaults;

/// <summary>The "Observability" section of appsettings.json.</summary>
public sealed class ObservabilityOptions
{
    /// <summary>Where to send traces, metrics and logs over OTLP; nothing is exported when it is empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>"grpc" (default, port 4317) or "http/protobuf" (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Readiness fails once the oldest unpublished outbox row has waited longer than this.</summary>
    public int OutboxMaxPendingAgeSeconds { get; set; } = 60;

    /// <summary>How often the outbox backlog gauges are measured (one small query per outbox table).</summary>
    public int OutboxBacklogRefreshMs { get; set; } = 5000;
}
