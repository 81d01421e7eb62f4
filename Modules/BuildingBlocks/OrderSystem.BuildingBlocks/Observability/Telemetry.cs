using System.Diagnostics;

namespace OrderSystem.BuildingBlocks.Observability;

/// <summary>The names OrderSystem's own spans and metrics go out under, for tracer and meter providers to subscribe to.</summary>
public static class Telemetry
{
    public const string Name = "OrderSystem";

    /// <summary>Our own spans: the payment transaction, outbox writes and the relay's publishes.</summary>
    public static readonly ActivitySource Source = new(Name);
}
