using OrderSystem.FlashSales.Contracts;

namespace OrderSystem.Operations.Console.Overview;

/// <summary>
/// One sample of the overview; each figure says where it comes from in docs/operations-console.md. A source that did not
/// answer leaves its figure null and adds a line to <see cref="Unavailable"/>.
/// </summary>
internal sealed record OverviewSnapshot(
    DateTime At,
    IReadOnlyDictionary<string, long>? OrdersByStatus,
    long? DueNextMinute,
    IReadOnlyList<OutboxFigure> Outboxes,
    IReadOnlyList<QueueFigure>? Queues,
    IReadOnlyList<BreakerFigure> Breakers,
    IReadOnlyDictionary<string, long>? RefundsByState,
    DateTime? OldestProcessingRefundSince,
    IReadOnlyList<OpenSale>? OpenFlashSales,
    MeasuredFigures Measured,
    IReadOnlyList<string> Unavailable);

internal sealed record OutboxFigure(string Module, long Pending, long Parked, double OldestAgeSeconds);

internal sealed record QueueFigure(string Module, string Queue, uint? Ready, uint? Consumers, uint? DeadLetters);

internal sealed record BreakerFigure(string Party, string State, DateTimeOffset Since, int Waiting);

/// <summary>The latest sample and the charts' series over the last 15 minutes (Unix seconds; null where unknown).</summary>
internal sealed record OverviewResponse(OverviewSnapshot Latest, OverviewHistory History);

internal sealed record OverviewHistory(
    IReadOnlyList<long> Time, IReadOnlyList<long?> Paid, IReadOnlyList<long?> Created, IReadOnlyList<long> OutboxPending,
    IReadOnlyList<long?> DeadLetters, IReadOnlyList<double> PaymentsPerSecond, IReadOnlyList<double?> PaymentP50Ms,
    IReadOnlyList<double?> PaymentP99Ms);
