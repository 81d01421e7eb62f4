using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Marketing.Contracts;

namespace OrderSystem.Marketing;

/// <summary>Marketing owns coupons (tables prefixed marketing_).</summary>
public static class MarketingModule
{
    public static readonly ModuleDeclaration Declaration = new("Marketing")
    {
        Queue = "marketing", Inbox = "marketing_inbox", Outbox = new("marketing_outbox", typeof(CouponIssued), typeof(CouponRevoked)),
        EffectTable = "marketing_coupons", ReportedStep = "coupon",
    };

    public static IHostApplicationBuilder AddMarketingModule(this IHostApplicationBuilder builder)
    {
        if (!builder.AddModule<ModuleTag>(Declaration))
        {
            return builder;
        }
        builder.AddConsumers(bus =>
        {
            bus.AddConsumer<IssueCouponOnOrderPaid, IssueCouponOnOrderPaidDefinition>();
            bus.AddConsumer<RevokeCouponOnOrderCancelled, RevokeCouponOnOrderCancelledDefinition>();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapMarketingEndpoints(this IEndpointRouteBuilder app)
    {
        if (app.IsModuleEnabled(Declaration))
        {
            app.MapGet("/api/users/{userId}/coupons", GetCoupons.Handle).WithTags(Declaration.Name)
                .Produces<List<GetCoupons.Coupon>>().ProducesValidationProblem().ProducesDatabaseProblems();
        }
        return app;
    }
}
