using MassTransit;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Messaging;

namespace OrderSystem.Order.Fulfilment;

/// <summary>Order's fulfilment consumers share the module's own queue, "order".</summary>
internal sealed class OrderConsumerDefinition<TConsumer>(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<TConsumer>("order", 32, retry)
    where TConsumer : class, IConsumer;
