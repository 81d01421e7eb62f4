using MassTransit;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Order.ChangeLog;

/// <summary>
/// Each state a refund of an order enters becomes a change of that order in Order's outbox, for the order feed: the feed
/// reads Order's changes alone, in one id order, so a refund's later states must be in there too, and in the order
/// Refunds made them (<see cref="RefundChangesInOrder"/> puts them back in it by their version). Born dispatched (the
/// bus already has Refunds' own event), once per message (Order's inbox), in one transaction with the inbox row.
/// </summary>
internal sealed class RecordRefundChanged(
    ModuleStore<ModuleTag> orders, RefundChangesInOrder inOrder, IOptions<OrderChangeLogOptions> feed, TimeProvider clock)
    : IConsumer<RefundChanged>
{
    public async Task Consume(ConsumeContext<RefundChanged> context)
    {
        if (!feed.Value.Enabled)
        {
            return; // nothing is recorded for the feed while it is off
        }
        var r = context.Message;
        var now = clock.UtcNowForDatabase();
        if (r.Version > 0)
        {
            await inOrder.RecordAsync(r, context.MessageId!.Value, nameof(RecordRefundChanged), now, context.CancellationToken);
            return;
        }
        // An event from before versions were carried: recorded as it comes.
        var change = new OrderRefundChanged(r.OrderId, r.RefundId, r.PaymentId, r.Amount, r.Reason, r.Status, r.OccurredAt);
        await using var connection = await orders.Db.OpenAsync(context.CancellationToken);
        await using var batch = new MySqlBatch(connection)
        {
            BatchCommands =
            {
                InlineTransaction.Start(),
                orders.Inbox.CreateRecord(context.MessageId!.Value, nameof(RecordRefundChanged), now),
                orders.Outbox.CreateRecordIfPreviousInserted(Guid.CreateVersion7(), change, now), // a redelivery writes nothing
            },
        };
        await InlineTransaction.ExecuteAndCommitAsync(batch, context.CancellationToken);
    }
}

/// <summary>One at a time: two changes of one refund rarely meet in <see cref="RefundChangesInOrder"/>'s lock.</summary>
internal sealed class RecordRefundChangedDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<RecordRefundChanged>(OrderModule.Declaration, 1, retry);
