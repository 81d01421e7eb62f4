using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrderSystem.Feed.Contracts;

/// <summary>
/// One message of the order feed (the stream <see cref="FeedStream.Name"/>), as JSON. A public contract: fields are
/// only ever added. See docs/feed.md.
/// </summary>
/// <param name="Sequence">Global, strictly increasing and gap-free from 1; the same sequence twice is the same event.</param>
/// <param name="Version">The order's own count of events, from 1.</param>
/// <param name="Type">One of <see cref="FeedEventTypes"/>.</param>
/// <param name="Order">The order's whole state after this event, as GET /api/orders/{id} shows it (plus its refunds).</param>
/// <param name="Change">What this event changed, where the type alone does not say it: the step, or the refund.</param>
public sealed record FeedEvent(
    long Sequence,
    Guid OrderId,
    int Version,
    string Type,
    DateTime OccurredAt,
    FeedOrder Order,
    FeedChange? Change = null)
{
    /// <summary>camelCase, nulls left out: the wire format.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FeedEvent FromJson(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize<FeedEvent>(utf8, Json)
        ?? throw new JsonException("A feed message is not a JSON object.");
}

/// <summary>The event types of the feed.</summary>
public static class FeedEventTypes
{
    public const string OrderCreated = "OrderCreated";
    public const string OrderPaid = "OrderPaid";
    public const string OrderCancelled = "OrderCancelled";
    public const string OrderExpired = "OrderExpired";
    public const string RefundChanged = "RefundChanged";
    public const string FulfillmentChanged = "FulfillmentChanged";
}

/// <summary>Where the feed lives.</summary>
public static class FeedStream
{
    /// <summary>The RabbitMQ stream, on the product's virtual host.</summary>
    public const string Name = "orders.changelog";

    /// <summary>The header that carries the event's sequence (also its MessageId).</summary>
    public const string SequenceHeader = "sequence";
}
