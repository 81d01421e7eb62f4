using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Messaging.Yielding;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Observability;

namespace OrderSystem.BuildingBlocks.Messaging;

public static class MessagingSetup
{
    private const string RegistrationsKey = "OrderSystem.ConsumerRegistrations";
    private const string MessagingAddedKey = "OrderSystem.MessagingAdded";

    /// <summary>
    /// A module adds its consumers here; <see cref="AddMessaging"/> later hands them all to MassTransit at once. After
    /// AddMessaging this throws: the consumers would never be registered.
    /// </summary>
    public static IHostApplicationBuilder AddConsumers(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> register)
    {
        if (builder.Properties.ContainsKey(MessagingAddedKey))
        {
            throw new InvalidOperationException("Consumers are added after AddMessaging(): add every module before it.");
        }
        Registrations(builder).Add(register);
        return builder;
    }

    /// <summary>The MassTransit bus (a hosted service) with every module's consumers, each module on its own queue.</summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        ModuleCatalog.Of(builder).Close(nameof(AddMessaging) + "()");
        builder.Properties[MessagingAddedKey] = true;
        var registrations = Registrations(builder);
        var options = builder.Configuration.GetSection("RabbitMq").Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        builder.Services.Configure<ConsumerRetryOptions>(builder.Configuration.GetSection("Messaging"));
        builder.Services.Configure<YieldOptions>(builder.Configuration.GetSection("Fulfillment"));
        builder.Services.AddSingleton<LoadPressure>();
        builder.Services.AddSingleton<ForegroundPeak>();
        builder.Services.AddSingleton<FulfillmentYield>();
        builder.Services.AddMassTransit(bus =>
        {
            foreach (var register in registrations)
            {
                register(bus);
            }
            if (options.UsesQuorumQueues)
            {
                bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint)
                    {
                        rabbitEndpoint.SetQuorumQueue();
                    }
                });
            }
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(options.Host, options.Port, options.VirtualHost, host =>
                {
                    host.Username(options.Username);
                    host.Password(options.Password);
                    host.PublisherConfirmation = true; // the relay marks a row dispatched only after this confirm
                    var nodes = options.NodeList();
                    if (nodes.Count > 0)
                    {
                        host.UseCluster(cluster =>
                        {
                            foreach (var node in nodes)
                            {
                                cluster.Node(node);
                            }
                        });
                    }
                });
                rabbit.UseInstrumentation(serviceName: Telemetry.Name); // MassTransit's own meter: receive/consume/send counts
                rabbit.UseConsumeFilter(typeof(ConsumeTelemetryFilter<>), context); // log scope, consume metrics
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    private static List<Action<IBusRegistrationConfigurator>> Registrations(IHostApplicationBuilder builder)
    {
        if (!builder.Properties.TryGetValue(RegistrationsKey, out var value))
        {
            value = new List<Action<IBusRegistrationConfigurator>>();
            builder.Properties[RegistrationsKey] = value;
        }
        return (List<Action<IBusRegistrationConfigurator>>)value;
    }
}
