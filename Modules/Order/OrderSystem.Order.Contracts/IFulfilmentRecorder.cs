using System.Data.Common;

namespace OrderSystem.Order.Contracts;

/// <summary>
/// Order's in-process port for the four downstream modules: the command that marks a step of an order's fulfilment Done
/// in Order's view, for the module to run inside its own transaction (the SQL stays inside Order, as Inventory's stays
/// behind <c>IStock</c>). It exists only in a process that runs Order; a module in a process without Order reports the
/// step with its completion event instead, which Order consumes.
/// </summary>
public interface IFulfilmentRecorder
{
    /// <summary>
    /// Marks <paramref name="step"/> Done at <paramref name="at"/> when the command just before it in the caller's batch
    /// inserted its row (the module's effect was new). Done is final: recording it again changes nothing.
    /// </summary>
    DbBatchCommand RecordDoneIfPreviousInserted(Guid orderId, FulfilmentStep step, DateTime at);
}

/// <summary>The four things that follow a payment, as Order's fulfilment view names them.</summary>
public enum FulfilmentStep
{
    Points,
    Coupon,
    Sms,
    Shipment,
}
