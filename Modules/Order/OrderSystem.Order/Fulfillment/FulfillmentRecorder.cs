using System.Data.Common;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>
/// Lets a module in Order's process record its step in the same transaction as its effect: no completion event, no relay
/// pass, no second consumer, and the view is up to date the moment the effect commits.
/// </summary>
internal sealed class FulfillmentRecorder(ModuleStore<ModuleTag> orders, FulfillmentWrites writes) : IFulfillmentRecorder
{
    public DbBatchCommand? RecordDoneIfPreviousInserted(
        DbDataSource moduleDatabase, Guid orderId, FulfillmentStep step, DateTime at, StepDelivery delivery) =>
        ReferenceEquals(moduleDatabase, orders.Db.DataSource) ? writes.DoneIfPreviousInserted(orderId, step, at, delivery) : null;
}
