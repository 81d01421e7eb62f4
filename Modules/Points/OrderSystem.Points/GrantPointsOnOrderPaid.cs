using MassTransit;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Points.Contracts;

namespace OrderSystem.Points;

/// <summary>One loyalty point per whole unit paid, once per order.</summary>
internal sealed class GrantPointsOnOrderPaid(
    ModuleStore<ModuleTag> points, TimeProvider clock, IFulfillmentRecorder? order = null) : IConsumer<OrderPaid>
{
    // The unique order_id is the second guard, for a duplicate that carries another message id. An order cancelled before
    // its OrderPaid got here has its reversal already (granting 0): it earns nothing, and the step stays as it is.
    private const string InsertSql = """
        INSERT IGNORE INTO points_entries (order_id, user_id, points, created_at)
        SELECT @OrderId, @UserId, @Points, @Now FROM DUAL
        WHERE NOT EXISTS (SELECT 1 FROM points_reversals WHERE order_id = @OrderId)
        """;

    public async Task Consume(ConsumeContext<OrderPaid> context)
    {
        var paid = context.Message;
        var earned = (int)decimal.Floor(paid.Amount);
        var now = clock.UtcNowForDatabase();
        var grant = new MySqlBatchCommand(InsertSql)
        {
            Parameters = { new("@OrderId", paid.OrderId), new("@UserId", paid.UserId), new("@Points", earned), new("@Now", now) },
        };
        var delivery = new StepDelivery(context.MessageId!.Value, DeliveryAttempts.Of<GrantPointsOnOrderPaid>(context));
        await points.ApplyOnceAsync(context.MessageId!.Value, nameof(GrantPointsOnOrderPaid), now, grant,
            new PointsGranted(paid.OrderId, paid.UserId, earned, now, delivery.MessageId, delivery.Attempts),
            order?.RecordDoneIfPreviousInserted(points.Db.DataSource, paid.OrderId, FulfillmentStep.Points, now, delivery));
    }
}

// Each message mostly waits for the shared group commit: the window must cover the rate times a slow commit (at
// 260/s, 32 in flight ran dry whenever a commit took over ~120 ms: finding 21 of docs/performance.md).
internal sealed class GrantPointsOnOrderPaidDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<GrantPointsOnOrderPaid>(PointsModule.Declaration, 128, retry);
