using MassTransit;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Marketing.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Marketing;

/// <summary>Issues the order's thank-you coupon (see <see cref="CouponRule"/>), once per order.</summary>
internal sealed class IssueCouponOnOrderPaid(
    ModuleStore<ModuleTag> marketing, TimeProvider clock, IFulfillmentRecorder? order = null) : IConsumer<OrderPaid>
{
    // An order cancelled before its OrderPaid got here has its revocation already: it gets no coupon.
    private const string InsertSql = """
        INSERT IGNORE INTO marketing_coupons (coupon_id, order_id, user_id, code, value, issued_at)
        SELECT @CouponId, @OrderId, @UserId, @Code, @Value, @Now FROM DUAL
        WHERE NOT EXISTS (SELECT 1 FROM marketing_revocations WHERE order_id = @OrderId)
        """;

    public async Task Consume(ConsumeContext<OrderPaid> context)
    {
        var paid = context.Message;
        var couponId = Guid.CreateVersion7();
        var value = CouponRule.ValueFor(paid.Amount);
        var now = clock.UtcNowForDatabase();
        var issue = new MySqlBatchCommand(InsertSql)
        {
            Parameters =
            {
                new("@CouponId", couponId), new("@OrderId", paid.OrderId), new("@UserId", paid.UserId),
                new("@Code", CouponRule.CodeFor(paid.OrderId)), new("@Value", value), new("@Now", now),
            },
        };
        var delivery = new StepDelivery(context.MessageId!.Value, DeliveryAttempts.Of<IssueCouponOnOrderPaid>(context));
        await marketing.ApplyOnceAsync(context.MessageId!.Value, nameof(IssueCouponOnOrderPaid), now, issue,
            new CouponIssued(paid.OrderId, couponId, paid.UserId, value, now, delivery.MessageId, delivery.Attempts),
            order?.RecordDoneIfPreviousInserted(marketing.Db.DataSource, paid.OrderId, FulfillmentStep.Coupon, now, delivery));
    }
}

// Each message mostly waits for the shared group commit: the window must cover the rate times a slow commit (at
// 260/s, 32 in flight ran dry whenever a commit took over ~120 ms: finding 21 of docs/performance.md).
internal sealed class IssueCouponOnOrderPaidDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<IssueCouponOnOrderPaid>(MarketingModule.Declaration, 128, retry);
