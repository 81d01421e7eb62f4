namespace OrderSystem.Push.Contracts;

/// <summary>The SMS gateway accepted the payment confirmation for an order.</summary>
public sealed record SmsSent(Guid OrderId, string UserId, DateTime OccurredAt);
