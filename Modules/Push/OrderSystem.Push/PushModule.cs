using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Push.Contracts;
using OrderSystem.ThirdParties;

namespace OrderSystem.Push;

/// <summary>Push sends buyers text messages through the SMS gateway (tables prefixed push_).</summary>
public static class PushModule
{
    public static readonly ModuleDeclaration Declaration = new("Push")
    {
        Queue = "push", Inbox = "push_inbox", Outbox = new("push_outbox", typeof(SmsSent)),
        EffectTable = "push_sms", ReportedStep = "sms",
    };

    public static IHostApplicationBuilder AddPushModule(this IHostApplicationBuilder builder)
    {
        if (!builder.AddModule<ModuleTag>(Declaration))
        {
            return builder;
        }
        builder.AddThirdParty(SmsGateway.Party, SmsGateway.Resilience);
        builder.Services.AddSingleton<SmsGateway>();
        builder.AddConsumers(bus => bus.AddConsumer<SendSmsOnOrderPaid, SendSmsOnOrderPaidDefinition>());
        return builder;
    }

    public static IEndpointRouteBuilder MapPushEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.IsModuleEnabled(Declaration))
        {
            app.MapGet("/api/users/{userId}/sms", GetSms.Handle).WithTags(Declaration.Name)
                .Produces<List<GetSms.Sms>>().ProducesValidationProblem().ProducesDatabaseProblems();
        }
        return app;
    }
}
