using MassTransit;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging.Yielding;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.BuildingBlocks.Messaging;

/// <summary>
/// Puts a module's consumers on the queue its declaration names, with the shared retry policy:
/// transient failures are retried in process, a message that keeps failing lands in the queue's _error queue.
/// </summary>
public abstract class ModuleConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    private readonly ConsumerRetryOptions _retry;
    private readonly ModuleDeclaration _module;

    protected ModuleConsumerDefinition(ModuleDeclaration module, int concurrentMessageLimit, IOptions<ConsumerRetryOptions> retry)
    {
        _retry = retry.Value;
        _module = module;
        EndpointName = module.Queue ?? throw new InvalidOperationException($"Module {module.Name} declares no queue for its consumers.");
        ConcurrentMessageLimit = concurrentMessageLimit;
        EndpointDefinition = ModuleQueueDefinition.For<TConsumer>(module.Queue, concurrentMessageLimit);
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // A fulfilling module gives way to the payments it shares the cores with (issue 17's peak shaving).
        if (_module.ReportedStep is not null && context.GetRequiredService<FulfillmentYield>() is { Enabled: true } yielding)
        {
            consumerConfigurator.UseFilter(new YieldUnderPressureFilter<TConsumer>(yielding.Peak, yielding.For(_module.Name)));
        }
        // A database outage is nobody's bug: keep the message in hand and wait for the database, rather than spend the
        // short retries below and send every message of the outage to the error queue.
        consumerConfigurator.UseMessageRetry(r =>
        {
            r.Handle<Exception>(DatabaseOutage.Is);
            r.Interval(_retry.OutageRetryLimit, TimeSpan.FromMilliseconds(_retry.OutageRetryIntervalMs));
        });
        consumerConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<Exception>(DatabaseOutage.Is);
            r.Intervals(_retry.RetryIntervals);
        });
        if (_module.ReportedStep is not null)
        {
            // After both retries, so it sees every attempt: the step records how many it took (the console shows it).
            consumerConfigurator.UseFilter(new CountDeliveryAttemptsFilter<TConsumer>());
        }
    }
}
