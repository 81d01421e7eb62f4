using Dapper;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Feed.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Feed;

/// <summary>
/// The operator console's view of the feed (<see cref="IFeedOperations"/>): the cursor's row, one event by its primary
/// key, Order's first change after the cursor by its outbox key, an order's events by (order_id, version).
/// </summary>
internal sealed class FeedOperations(ModuleStore<ModuleTag> feed, IOrderChangeLog changes) : IFeedOperations
{
    internal const string CursorSql = """
        SELECT c.source_position AS SourcePosition, c.last_sequence AS LastSequence, c.published_sequence AS PublishedSequence,
               (SELECT e.occurred_at FROM feed_events e WHERE e.sequence = c.published_sequence + 1) AS OldestUnpublished
        FROM feed_cursor c WHERE c.id = 1
        """;

    internal const string EventsOfSql = """
        SELECT sequence AS Sequence, version AS Version, type AS Type, occurred_at AS OccurredAt, source_position AS SourcePosition, body AS Body
        FROM feed_events WHERE order_id = @OrderId ORDER BY version
        """;

    private sealed record CursorRow(long SourcePosition, long LastSequence, long PublishedSequence, DateTime? OldestUnpublished);

    private sealed record EventRow(long Sequence, int Version, string Type, DateTime OccurredAt, long SourcePosition, string Body);

    public async Task<FeedLag> LagAsync(CancellationToken ct)
    {
        CursorRow? cursor;
        await using (var connection = await feed.Db.OpenAsync(ct))
        {
            cursor = await connection.QuerySingleOrDefaultAsync<CursorRow>(new CommandDefinition(CursorSql, cancellationToken: ct));
        }
        // A change not sequenced yet is older than any event sequenced after the cursor was read.
        var unsequenced = await changes.FirstAfterAsync(cursor?.SourcePosition ?? 0, ct);
        var oldest = new[] { cursor?.OldestUnpublished, unsequenced }.Where(t => t is not null).Min();
        return new FeedLag(cursor?.LastSequence ?? 0, cursor?.PublishedSequence ?? 0, oldest);
    }

    public async Task<IReadOnlyList<FeedEventSource>> EventsOfAsync(Guid orderId, CancellationToken ct)
    {
        await using var connection = await feed.Db.OpenAsync(ct);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(EventsOfSql, new { OrderId = orderId }, cancellationToken: ct));
        return [.. rows.Select(row =>
        {
            var change = FeedEvent.FromJson(System.Text.Encoding.UTF8.GetBytes(row.Body)).Change;
            return new FeedEventSource(row.Sequence, row.Version, row.Type, row.OccurredAt, row.SourcePosition, change?.Step,
                change?.Refund?.RefundId, change?.Step is not null ? change.Status : change?.Refund?.State);
        })];
    }
}
