using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Marketing.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Marketing;

/// <summary>Issues the order's thank-you coupon (see <see cref="CouponRule"/>), once per order.</summary>
internal sealed class IssueCouponOnOrderPaid(Db db, Outbox<ModuleTag> outbox, TimeProvider clock) : IConsumer<OrderPaid>
{
    private const string InsertSql = """
        INSERT IGNORE INTO marketing_coupons (coupon_id, order_id, user_id, code, value, issued_at)
        VALUES (@CouponId, @OrderId, @UserId, @Code, @Value, @Now)
        """;

    public async Task Consume(ConsumeContext<OrderPaid> context)
    {
        var paid = context.Message;
        var ct = context.CancellationToken;
        var couponId = Guid.CreateVersion7();
        var value = CouponRule.ValueFor(paid.Amount);
        var ran = await MarketingModule.Inbox.RunOnceAsync(db, context.MessageId!.Value, nameof(IssueCouponOnOrderPaid), clock, async (tx, now) =>
        {
            var inserted = await tx.Connection!.ExecuteAsync(new CommandDefinition(InsertSql,
                new { CouponId = couponId, paid.OrderId, paid.UserId, Code = CouponRule.CodeFor(paid.OrderId), Value = value, Now = now },
                tx, cancellationToken: ct));
            if (inserted == 1)
            {
                await outbox.AddAsync(tx, Guid.CreateVersion7(), new CouponIssued(paid.OrderId, couponId, paid.UserId, value, now), now, ct);
            }
        }, ct);
        if (ran)
        {
            outbox.NotifyCommitted();
        }
    }
}

internal sealed class IssueCouponOnOrderPaidDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<IssueCouponOnOrderPaid>("marketing", 32, retry);
