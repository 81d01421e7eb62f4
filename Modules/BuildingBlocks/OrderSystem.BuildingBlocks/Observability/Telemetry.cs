using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrderSystem.BuildingBlocks.Observability;

/// <summary>The names OrderSystem's own spans and metrics go out under, for tracer and meter providers to subscribe to.</summary>
public static class Telemetry
{
    public const string Name = "OrderSystem";

    /// <summary>Our own spans: the payment transaction, outbox writes and the relay's publishes.</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>
    /// Our own instruments. One meter per process, as libraries do: a meter from the host's IMeterFactory dies with its
    /// host, and in the tests a second in-process host stopping took the first host's series with it.
    /// </summary>
    public static readonly Meter Meter = new(Name);

    /// <summary>Histogram buckets in seconds, from 5 ms to 10 s: the SDK's defaults are made for milliseconds.</summary>
    public static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    };

    /// <summary>
    /// For the payment callback, answered in a few milliseconds: buckets from 1 ms, fine up to 50 ms, so a p99 that moves
    /// from 8 to 20 ms shows in the histogram instead of staying inside one 10-25 ms bucket.
    /// </summary>
    public static readonly InstrumentAdvice<double> FastSeconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };
}
