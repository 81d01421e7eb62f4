namespace OrderSystem.Order.Contracts;

/// <summary>
/// A step of an order's fulfillment was recorded in Order's view (<paramref name="Status"/> Done or Failed, at
/// <paramref name="At"/>), in the same transaction as the view's row. For the order feed; never published on the bus.
/// Recording the same state again writes this again: a reader keeps only what changes the view.
/// </summary>
public sealed record OrderFulfillmentStepChanged(Guid OrderId, FulfillmentStep Step, string Status, DateTime At);
