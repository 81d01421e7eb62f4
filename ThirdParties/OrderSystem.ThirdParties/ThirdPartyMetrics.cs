using System.Diagnostics.Metrics;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.ThirdParties;

/// <summary>
/// The third parties' instruments, by party. Up-down counters rather than gauges, so two hosts in one process (the
/// tests) add up instead of overwriting each other.
/// </summary>
internal static class ThirdPartyMetrics
{
    private static readonly Counter<long> Calls = Telemetry.Meter.CreateCounter<long>("ordersystem.third_party.calls", "{call}",
        "Calls to a third party after the pipeline's retries, by party and outcome (success, unavailable, rejected).");
    private static readonly Counter<long> Transitions = Telemetry.Meter.CreateCounter<long>("ordersystem.third_party.breaker_transitions",
        "{transition}", "Circuit breaker state changes, by party and the state entered (closed, half_open, open).");
    private static readonly UpDownCounter<long> OpenBreakers = Telemetry.Meter.CreateUpDownCounter<long>(
        "ordersystem.third_party.breaker_open", "{breaker}", "1 while the party's breaker is open or half-open (its callers wait), by party.");
    private static readonly UpDownCounter<long> HeldCalls = Telemetry.Meter.CreateUpDownCounter<long>(
        "ordersystem.third_party.waiting", "{call}", "Calls (each holding its message) waiting for the party's breaker to close, by party.");

    public static void Called(string party, string outcome) =>
        Calls.Add(1, new("party", party), new KeyValuePair<string, object?>("outcome", outcome));

    public static void BreakerChanged(string party, BreakerState state) => Transitions.Add(1, new("party", party),
        new KeyValuePair<string, object?>("state", state switch
        {
            BreakerState.Open => "open",
            BreakerState.HalfOpen => "half_open",
            _ => "closed",
        }));

    public static void BreakerOpened(string party, int delta) => OpenBreakers.Add(delta, new KeyValuePair<string, object?>("party", party));

    public static void Waiting(string party, int delta) => HeldCalls.Add(delta, new KeyValuePair<string, object?>("party", party));
}
