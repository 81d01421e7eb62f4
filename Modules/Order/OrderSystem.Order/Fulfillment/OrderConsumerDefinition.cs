using MassTransit;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Messaging;

namespace OrderSystem.Order.Fulfillment;

/// <summary>Order's fulfillment consumers share the module's own queue.</summary>
internal sealed class OrderConsumerDefinition<TConsumer>(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<TConsumer>(OrderModule.Declaration, 32, retry)
    where TConsumer : class, IConsumer;
