using System.Collections.Concurrent;
using MassTransit;

namespace OrderSystem.BuildingBlocks.Messaging;

/// <summary>
/// The receive endpoint of a module's queue, shared by all of the module's consumers: its prefetch and concurrency are
/// the largest any of those consumers asks for (each consumer keeps its own limit). Setting them per consumer let one
/// consumer's number win for the queue, and Warehouse's 128 shipments in flight were held to its cancellation's 32.
/// </summary>
internal static class ModuleQueueDefinition
{
    private const int MinimumPrefetch = 16;

    // Read when the endpoint is configured, after every definition was built (MassTransit groups them by name first).
    private static readonly ConcurrentDictionary<string, int> LargestLimitByQueue = new();

    public static IEndpointDefinition<TConsumer> For<TConsumer>(string queue, int concurrentMessageLimit)
        where TConsumer : class, IConsumer
    {
        LargestLimitByQueue.AddOrUpdate(queue, concurrentMessageLimit, (_, other) => Math.Max(other, concurrentMessageLimit));
        return new Endpoint<TConsumer>(queue);
    }

    private sealed class Endpoint<TConsumer>(string queue) : IEndpointDefinition<TConsumer>
        where TConsumer : class, IConsumer
    {
        public bool IsTemporary => false;

        public int? PrefetchCount => Math.Max(LargestLimitByQueue[queue], MinimumPrefetch);

        public int? ConcurrentMessageLimit => PrefetchCount;

        public bool ConfigureConsumeTopology => true;

        public string GetEndpointName(IEndpointNameFormatter formatter) => queue;

        public void Configure<T>(T configurator, IRegistrationContext? context)
            where T : IReceiveEndpointConfigurator
        {
        }
    }
}
