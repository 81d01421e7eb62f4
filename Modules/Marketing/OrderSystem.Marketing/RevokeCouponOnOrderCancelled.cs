using MassTransit;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Marketing.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Marketing;

/// <summary>
/// Revokes a cancelled order's coupon, once per order. The revocation is a row of its own, so it also stands when the
/// cancellation arrives before the order's OrderPaid: the late OrderPaid then issues no coupon.
/// </summary>
internal sealed class RevokeCouponOnOrderCancelled(ModuleStore<ModuleTag> marketing, TimeProvider clock) : IConsumer<OrderCancelled>
{
    private const string RevokeSql = """
        INSERT IGNORE INTO marketing_revocations (order_id, user_id, created_at) VALUES (@OrderId, @UserId, @Now)
        """;

    public async Task Consume(ConsumeContext<OrderCancelled> context)
    {
        var cancelled = context.Message;
        var now = clock.UtcNowForDatabase();
        var revoke = new MySqlBatchCommand(RevokeSql)
        {
            Parameters = { new("@OrderId", cancelled.OrderId), new("@UserId", cancelled.UserId), new("@Now", now) },
        };
        await marketing.ApplyOnceAsync(context.MessageId!.Value, nameof(RevokeCouponOnOrderCancelled), now, revoke,
            new CouponRevoked(cancelled.OrderId, cancelled.UserId, now), inProcessReport: null);
    }
}

internal sealed class RevokeCouponOnOrderCancelledDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<RevokeCouponOnOrderCancelled>(MarketingModule.Declaration, 32, retry);
