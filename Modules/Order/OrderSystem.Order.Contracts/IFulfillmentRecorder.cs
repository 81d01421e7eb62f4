using System.Data.Common;

namespace OrderSystem.Order.Contracts;

/// <summary>
/// Order's in-process port for the four downstream modules: the command that marks a step of an order's fulfillment Done
/// in Order's view, for the module to run inside its own transaction (the SQL stays inside Order, as Inventory's stays
/// behind <c>IStock</c>). It exists only in a process that runs Order, and serves only modules on Order's database; any
/// other module reports the step with its completion event instead, which Order consumes.
/// </summary>
public interface IFulfillmentRecorder
{
    /// <summary>
    /// Marks <paramref name="step"/> Done at <paramref name="at"/>, with the <paramref name="delivery"/> that did it, when
    /// the command just before it in the caller's batch inserted its row (the module's effect was new). Done is final:
    /// recording it again changes nothing. Null when <paramref name="moduleDatabase"/> is not Order's: the module then
    /// reports with its completion event.
    /// </summary>
    DbBatchCommand? RecordDoneIfPreviousInserted(
        DbDataSource moduleDatabase, Guid orderId, FulfillmentStep step, DateTime at, StepDelivery delivery);
}

/// <summary>
/// The message a module consumed to carry out a step (<paramref name="MessageId"/>, the order's <c>OrderPaid</c>) and how
/// many delivery attempts the module's consumer took, the successful one included.
/// </summary>
public sealed record StepDelivery(Guid MessageId, int Attempts);

/// <summary>The four things that follow a payment, as Order's fulfillment view names them.</summary>
public enum FulfillmentStep
{
    Points,
    Coupon,
    Sms,
    Shipment,
}
