using System.Data.Common;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfilment;

/// <summary>
/// Lets a module in Order's process record its step in the same transaction as its effect: no completion event, no relay
/// pass, no second consumer, and the view is up to date the moment the effect commits.
/// </summary>
internal sealed class FulfilmentRecorder : IFulfilmentRecorder
{
    public DbBatchCommand RecordDoneIfPreviousInserted(Guid orderId, FulfilmentStep step, DateTime at) =>
        FulfilmentWrites.DoneIfPreviousInserted(orderId, step, at);
}
