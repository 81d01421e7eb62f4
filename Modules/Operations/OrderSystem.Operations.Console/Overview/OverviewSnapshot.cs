using OrderSystem.FlashSales.Contracts;

namespace OrderSystem.Operations.Console.Overview;

/// <summary>
/// One sample of the overview; each figure says where it comes from in docs/operations-console.md. A source that did not
/// answer leaves its figure null and adds a line to <see cref="Unavailable"/>.
/// </summary>
internal sealed record OverviewSnapshot(
    DateTime At,
    IReadOnlyDictionary<string, long>? OrdersByStatus,
    DateTime? OrdersCountedAt,
    long? DueNextMinute,
    double? OverdueSeconds,
    IReadOnlyList<OutboxFigure> Outboxes,
    IReadOnlyList<QueueFigure>? Queues,
    IReadOnlyList<FulfillmentLagFigure>? FulfillmentLag,
    FeedLagFigure? Feed,
    IReadOnlyList<BreakerFigure> Breakers,
    IReadOnlyDictionary<string, long>? RefundsByState,
    DateTime? OldestProcessingRefundSince,
    IReadOnlyList<OpenSale>? OpenFlashSales,
    MeasuredFigures Measured,
    IReadOnlyList<string> Unavailable);

internal sealed record OutboxFigure(string Module, long Pending, long Parked, double OldestAgeSeconds);

internal sealed record QueueFigure(string Module, string Queue, uint? Ready, long? InFlight, uint? Consumers, uint? DeadLetters);

/// <summary>A fulfillment step's time after payment (ms) over the newest orders, by the module that carries it out.</summary>
internal sealed record FulfillmentLagFigure(string Module, string Step, int Done, int Pending, double? P50Ms, double? P99Ms);

/// <summary>The feed's cursor: events sequenced, confirmed by the broker, and how old the oldest change not on the stream is.</summary>
internal sealed record FeedLagFigure(long LastSequence, long PublishedSequence, long Unpublished, double LagSeconds);

internal sealed record BreakerFigure(string Party, string State, DateTimeOffset Since, int Waiting);

/// <summary>The latest sample and the charts' series over the last 15 minutes (Unix seconds; null where unknown).</summary>
internal sealed record OverviewResponse(OverviewSnapshot Latest, OverviewHistory History);

internal sealed record OverviewHistory(
    IReadOnlyList<long> Time, IReadOnlyList<long?> Paid, IReadOnlyList<long?> Created, IReadOnlyList<long> OutboxPending,
    IReadOnlyList<long?> DeadLetters, IReadOnlyList<double> PaymentsPerSecond, IReadOnlyList<double?> PaymentP50Ms,
    IReadOnlyList<double?> PaymentP99Ms, IReadOnlyList<double?> FeedLagSeconds, IReadOnlyList<double?> OutboxOldestSeconds,
    IReadOnlyList<double?> FulfillmentP99Seconds)
{
    /// <summary>The charts' series, one value per sample.</summary>
    public static OverviewHistory Of(IReadOnlyList<OverviewSnapshot> samples) => new(
        [.. samples.Select(s => new DateTimeOffset(s.At).ToUnixTimeSeconds())],
        [.. samples.Select(s => s.OrdersByStatus?.GetValueOrDefault("Paid"))],
        [.. samples.Select(s => s.OrdersByStatus?.GetValueOrDefault("Created"))],
        [.. samples.Select(s => s.Outboxes.Sum(o => o.Pending))],
        [.. samples.Select(s => s.Queues?.Sum(q => (long)(q.DeadLetters ?? 0)))],
        [.. samples.Select(s => Math.Round(s.Measured.PaymentsPerSecond, 1))],
        [.. samples.Select(s => s.Measured.PaymentP50Ms)],
        [.. samples.Select(s => s.Measured.PaymentP99Ms)],
        [.. samples.Select(s => s.Feed?.LagSeconds)],
        [.. samples.Select(s => s.Outboxes.Count == 0 ? (double?)null : Math.Round(s.Outboxes.Max(o => o.OldestAgeSeconds), 1))],
        [.. samples.Select(s => s.FulfillmentLag?.Max(f => f.P99Ms) is { } ms ? Math.Round(ms / 1000, 3) : (double?)null)]);
}
