using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OrderSystem.BuildingBlocks.Messaging.Yielding;

/// <summary>
/// The <see cref="AdaptiveConcurrency"/> of each fulfilling module in this process, all reading one <see cref="LoadPressure"/>,
/// and the process's one <see cref="ForegroundPeak"/>.
/// </summary>
public sealed class FulfillmentYield(LoadPressure pressure, ForegroundPeak peak, IOptions<YieldOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, AdaptiveConcurrency> _byModule = new();

    public bool Enabled => options.Value.YieldUnderPressure;

    public ForegroundPeak Peak => peak;

    public AdaptiveConcurrency For(string module) =>
        _byModule.GetOrAdd(module, _ => new AdaptiveConcurrency(pressure, options.Value.MinConcurrency, clock));
}
