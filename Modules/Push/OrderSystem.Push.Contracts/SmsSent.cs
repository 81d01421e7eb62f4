namespace OrderSystem.Push.Contracts;

/// <summary>The SMS gateway accepted the payment confirmation for an order. <c>OrderPaidMessageId</c> is the
/// <c>OrderPaid</c> it carried out, <c>Attempts</c> how many deliveries that took (both null from a sender older than them).</summary>
public sealed record SmsSent(Guid OrderId, string UserId,
    DateTime OccurredAt, Guid? OrderPaidMessageId = null, int? Attempts = null);
