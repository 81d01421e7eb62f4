using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Inbox;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Operations;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.BuildingBlocks.Simulation;
using OrderSystem.Push.Contracts;

namespace OrderSystem.Push;

/// <summary>Push sends buyers text messages through the SMS gateway (tables prefixed push_).</summary>
public static class PushModule
{
    public const string Name = "Push";

    internal static readonly InboxTable Inbox = new("push_inbox");

    public static IHostApplicationBuilder AddPushModule(this IHostApplicationBuilder builder)
    {
        if (!builder.Configuration.IsModuleEnabled(Name))
        {
            return builder;
        }
        builder.Services.Configure<SimulatedLatencyOptions>(SmsGateway.Name, builder.Configuration.GetSection("Simulation:Sms"));
        builder.Services.AddSingleton<SmsGateway>();
        builder.AddOutbox<ModuleTag>("push_outbox", typeof(SmsSent));
        builder.AddInbox(Inbox);
        builder.AddEffectAudit(Name, "push_sms", "push_outbox");
        builder.AddConsumers(bus => bus.AddConsumer<SendSmsOnOrderPaid, SendSmsOnOrderPaidDefinition>());
        return builder;
    }

    public static IEndpointRouteBuilder MapPushEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.IsModuleEnabled(Name))
        {
            app.MapGet("/api/users/{userId}/sms", GetSms.Handle).WithTags(Name)
                .Produces<List<GetSms.Sms>>().ProducesValidationProblem().ProducesDatabaseProblems();
        }
        return app;
    }
}
