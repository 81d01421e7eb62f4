namespace OrderSystem.Feed.Contracts;

/// <summary>The first line of a snapshot: read the stream from <paramref name="Sequence"/> + 1.</summary>
public sealed record FeedSnapshotHeader(long Sequence, DateTime TakenAt);

/// <summary>Each further line of a snapshot: an order's state after its event <paramref name="Sequence"/>, its version <paramref name="Version"/>.</summary>
public sealed record FeedSnapshotOrder(int Version, long Sequence, FeedOrder Order);
