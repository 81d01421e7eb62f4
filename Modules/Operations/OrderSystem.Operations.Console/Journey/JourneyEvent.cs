namespace OrderSystem.Operations.Console.Journey;

/// <summary>
/// One event of an order's journey. <see cref="Kind"/> names it for the page and its tests (created, paid, step-points,
/// refund-succeeded, ...); the message and trace are those of the change that recorded it, when still kept.
/// </summary>
public sealed record JourneyEvent(DateTime At, string Kind, string Title, string? Detail, Guid? RefundId = null)
{
    public Guid? MessageId { get; init; }

    public string? MessageType { get; init; }

    public string? TraceId { get; init; }

    /// <summary>A fulfillment step's delivery attempts (the successful one included), when recorded.</summary>
    public int? Attempts { get; init; }

    /// <summary>The trace UI's page of <see cref="TraceId"/>, when <c>Observability:TraceUiUrl</c> is set.</summary>
    public string? TraceUrl { get; init; }
}
