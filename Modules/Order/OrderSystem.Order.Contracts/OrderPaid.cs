namespace OrderSystem.Order.Contracts;

/// <summary>
/// An order was paid: its status and stock deduction are committed. Published once per order from Order's outbox;
/// the envelope's MessageId is the outbox row's id, so a re-publish carries the same id.
/// </summary>
public sealed record OrderPaid(
    Guid OrderId,
    string UserId,
    IReadOnlyList<OrderLine> Items,
    decimal Amount,
    string PaymentId,
    DateTime OccurredAt);

/// <summary>One line of a paid order.</summary>
public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice);
