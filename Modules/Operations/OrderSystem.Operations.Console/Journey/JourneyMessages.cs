using Microsoft.Extensions.Configuration;
using OrderSystem.Feed.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Operations.Console.Journey;

/// <summary>
/// Puts the message id and trace id on each event of a journey. Neither is stored by order: each of Order's changes is
/// an outbox row (message id, W3C traceparent), and the feed's events of the order (by order and version) name the row
/// they came from. So: the order's feed events, then those rows by primary key. Events the feed has but the journey's
/// tables do not (a refund's Submitted and Processing, a step's failure before it was done) are added. See decision 0020;
/// a step's own message (the one its module consumed) comes with the step, decision 0024.
/// </summary>
internal sealed class JourneyMessages(IConfiguration configuration)
{
    /// <summary>The template of a trace's page in the trace UI, "{traceId}" standing for the 32 hex digits; null when unset or not an http(s) URL.</summary>
    public string? TraceUiUrl => configuration["Observability:TraceUiUrl"] is { } url && url.Contains("{traceId}", StringComparison.Ordinal)
        && Uri.TryCreate(url.Replace("{traceId}", "0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https" ? url : null;

    public async Task<IReadOnlyList<JourneyEvent>> LinkAsync(
        IReadOnlyList<JourneyEvent> events, Guid orderId, IFeedOperations? feed, IOrderOperations orders, CancellationToken ct)
    {
        if (feed is null)
        {
            return events;
        }
        var sources = await feed.EventsOfAsync(orderId, ct);
        var messages = (await orders.MessagesAtAsync([.. sources.Select(s => s.SourcePosition).Distinct()], ct))
            .ToDictionary(m => m.Position);
        var linked = events.ToList();
        var done = new HashSet<int>();
        var template = TraceUiUrl;
        foreach (var source in sources)
        {
            var message = messages.GetValueOrDefault(source.SourcePosition);
            var (kind, title) = KindOf(source);
            var index = Enumerable.Range(0, linked.Count).FirstOrDefault(i => !done.Contains(i) && Matches(linked[i], kind, source), -1);
            var linkedEvent = index >= 0 ? linked[index] : new JourneyEvent(source.OccurredAt, kind, title, "from the feed", source.RefundId);
            // A step already names the message its module consumed (Order records it with the step): that one stays,
            // and the change row gives the trace, which is the consumer's.
            linkedEvent = linkedEvent with
            {
                MessageId = linkedEvent.MessageId ?? message?.MessageId,
                MessageType = linkedEvent.MessageType ?? message?.MessageType[(message.MessageType.LastIndexOf('.') + 1)..],
                TraceId = message?.TraceId,
                TraceUrl = message?.TraceId is { } traceId && template is not null ? template.Replace("{traceId}", traceId, StringComparison.Ordinal) : null,
            };
            if (index >= 0)
            {
                linked[index] = linkedEvent;
                done.Add(index);
            }
            else
            {
                linked.Add(linkedEvent);
            }
        }
        return [.. linked.OrderBy(e => e.At)];
    }

    private static (string Kind, string Title) KindOf(FeedEventSource source) => source.Type switch
    {
        FeedEventTypes.OrderCreated => ("created", "Created"),
        FeedEventTypes.OrderPaid => ("paid", "Paid"),
        FeedEventTypes.OrderExpired => ("expired", "Expired"),
        FeedEventTypes.OrderCancelled => ("cancelled", "Cancelled"),
        FeedEventTypes.FulfillmentChanged => ($"step-{source.Step}-{source.State?.ToLowerInvariant()}", $"{source.Step}: {source.State}"),
        FeedEventTypes.RefundChanged => ("refund-" + source.State?.ToLowerInvariant(), "Refund " + source.State),
        _ => (source.Type.ToLowerInvariant(), source.Type),
    };

    // A step's event on the page is its latest state ("points: Done"); the feed has each state the step went through.
    private static bool Matches(JourneyEvent e, string kind, FeedEventSource source) => source.Type switch
    {
        FeedEventTypes.FulfillmentChanged => e.Kind == "step-" + source.Step && e.Title == $"{source.Step}: {source.State}",
        FeedEventTypes.RefundChanged => e.Kind == kind && e.RefundId == source.RefundId,
        _ => e.Kind == kind,
    };
}
