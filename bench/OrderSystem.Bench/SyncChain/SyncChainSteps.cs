using OrderSystem.Marketing;
using OrderSystem.Order.Contracts;
using OrderSystem.Points;
using OrderSystem.Push;
using OrderSystem.Warehouse;

namespace OrderSystem.Bench.SyncChain;

/// <summary>
/// The article's "before": after the payment commits, points, coupon, SMS and shipment run one after the other while the
/// buyer waits. Each step is the module's own handler; points and coupon get the article's extra cost as a wait, since the
/// product's are plain database writes (SMS and logistics carry their cost in their simulated gateways).
/// </summary>
internal sealed class SyncChainSteps(
    GrantPointsOnOrderPaid points,
    IssueCouponOnOrderPaid coupon,
    SendSmsOnOrderPaid sms,
    RequestShipmentOnOrderPaid shipment,
    Costs costs)
{
    public async Task RunAsync(OrderPaid paid, CancellationToken ct)
    {
        var context = InlineConsumeContext.For(paid, Guid.CreateVersion7(), ct);
        await WaitAsync(costs.PointsMs, ct);
        await points.Consume(context);
        await WaitAsync(costs.CouponMs, ct);
        await coupon.Consume(context);
        await sms.Consume(context);
        await shipment.Consume(context);
    }

    private static Task WaitAsync(int ms, CancellationToken ct) => ms > 0 ? Task.Delay(ms, ct) : Task.CompletedTask;
}
