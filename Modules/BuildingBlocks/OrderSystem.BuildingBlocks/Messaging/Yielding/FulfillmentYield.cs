using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OrderSystem.BuildingBlocks.Messaging.Yielding;

/// <summary>The <see cref="AdaptiveConcurrency"/> of each fulfilling module in this process, all reading one <see cref="LoadPressure"/>.</summary>
public sealed class FulfillmentYield(LoadPressure pressure, IOptions<YieldOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, AdaptiveConcurrency> _byModule = new();

    public bool Enabled => options.Value.YieldUnderPressure;

    public AdaptiveConcurrency For(string module) =>
        _byModule.GetOrAdd(module, _ => new AdaptiveConcurrency(pressure, options.Value.MinConcurrency, clock));
}
