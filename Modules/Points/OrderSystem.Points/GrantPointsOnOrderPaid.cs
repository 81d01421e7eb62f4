using MassTransit;
using MySqlConnector;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Order.Contracts;
using OrderSystem.Points.Contracts;

namespace OrderSystem.Points;

/// <summary>One loyalty point per whole unit paid, once per order.</summary>
internal sealed class GrantPointsOnOrderPaid(
    Db db, Outbox<ModuleTag> outbox, TimeProvider clock, IFulfilmentRecorder? order = null) : IConsumer<OrderPaid>
{
    // The unique order_id is the second guard, for a duplicate that carries another message id.
    private const string InsertSql = """
        INSERT IGNORE INTO points_entries (order_id, user_id, points, created_at) VALUES (@OrderId, @UserId, @Points, @Now)
        """;

    public async Task Consume(ConsumeContext<OrderPaid> context)
    {
        var paid = context.Message;
        var points = (int)decimal.Floor(paid.Amount);
        var now = clock.UtcNowForDatabase();
        var grant = new MySqlBatchCommand(InsertSql)
        {
            Parameters = { new("@OrderId", paid.OrderId), new("@UserId", paid.UserId), new("@Points", points), new("@Now", now) },
        };
        await PointsModule.Inbox.ApplyOnceAsync(db, outbox, context.MessageId!.Value, nameof(GrantPointsOnOrderPaid), now, grant,
            new PointsGranted(paid.OrderId, paid.UserId, points, now),
            order?.RecordDoneIfPreviousInserted(paid.OrderId, FulfilmentStep.Points, now));
    }
}

internal sealed class GrantPointsOnOrderPaidDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<GrantPointsOnOrderPaid>("points", 32, retry);
