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
using OrderSystem.Marketing.Contracts;

namespace OrderSystem.Marketing;

/// <summary>Marketing owns coupons (tables prefixed marketing_).</summary>
public static class MarketingModule
{
    public const string Name = "Marketing";

    internal static readonly InboxTable Inbox = new("marketing_inbox");

    public static IHostApplicationBuilder AddMarketingModule(this IHostApplicationBuilder builder)
    {
        if (!builder.Configuration.IsModuleEnabled(Name))
        {
            return builder;
        }
        builder.AddOutbox<ModuleTag>("marketing_outbox", typeof(CouponIssued));
        builder.AddInbox(Inbox);
        builder.AddEffectAudit(Name, "marketing_coupons", "marketing_outbox");
        builder.AddConsumers(bus => bus.AddConsumer<IssueCouponOnOrderPaid, IssueCouponOnOrderPaidDefinition>());
        return builder;
    }

    public static IEndpointRouteBuilder MapMarketingEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.IsModuleEnabled(Name))
        {
            app.MapGet("/api/users/{userId}/coupons", GetCoupons.Handle).WithTags(Name)
                .Produces<List<GetCoupons.Coupon>>().ProducesValidationProblem().ProducesDatabaseProblems();
        }
        return app;
    }
}
