using OrderSystem.Feed.Contracts;

namespace OrderSystem.Feed.Client;

/// <summary>One event as read, with its offset in the stream (where to attach to read on after it).</summary>
public sealed record FeedDelivery(long StreamOffset, FeedEvent Event);
