using MassTransit;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Points.Contracts;

namespace OrderSystem.Points;

/// <summary>
/// Takes back the points a cancelled order earned, once per order. The balance never goes below zero: what it lacks is
/// recorded as the buyer's debt. When the cancellation arrives before the order's OrderPaid, the reversal takes back 0
/// and the late OrderPaid grants nothing (<see cref="GrantPointsOnOrderPaid"/>).
/// </summary>
internal sealed class TakeBackPointsOnOrderCancelled(ModuleStore<ModuleTag> points, TimeProvider clock) : IConsumer<OrderCancelled>
{
    // One statement: the grant and the balance are read with the insert (INSERT ... SELECT takes shared locks on what it
    // reads, so a concurrent grant or reversal for the buyer waits or deadlocks and is retried, never interleaves). The
    // unique order_id is the guard against a duplicate under another message id.
    private const string ReverseSql = """
        INSERT IGNORE INTO points_reversals (order_id, user_id, granted, taken, debt, created_at)
        SELECT @OrderId, @UserId, g.granted, LEAST(g.granted, GREATEST(b.balance, 0)),
               g.granted - LEAST(g.granted, GREATEST(b.balance, 0)), @Now
        FROM (SELECT COALESCE(SUM(points), 0) AS granted FROM points_entries WHERE order_id = @OrderId) g,
             (SELECT COALESCE((SELECT SUM(points) FROM points_entries WHERE user_id = @UserId), 0)
                   - COALESCE((SELECT SUM(taken) FROM points_reversals WHERE user_id = @UserId), 0) AS balance) b
        """;

    public async Task Consume(ConsumeContext<OrderCancelled> context)
    {
        var cancelled = context.Message;
        var now = clock.UtcNowForDatabase();
        var reverse = new MySqlBatchCommand(ReverseSql)
        {
            Parameters = { new("@OrderId", cancelled.OrderId), new("@UserId", cancelled.UserId), new("@Now", now) },
        };
        await points.ApplyOnceAsync(context.MessageId!.Value, nameof(TakeBackPointsOnOrderCancelled), now, reverse,
            new PointsTakenBack(cancelled.OrderId, cancelled.UserId, now), inProcessReport: null);
    }
}

internal sealed class TakeBackPointsOnOrderCancelledDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<TakeBackPointsOnOrderCancelled>(PointsModule.Declaration, 32, retry);
