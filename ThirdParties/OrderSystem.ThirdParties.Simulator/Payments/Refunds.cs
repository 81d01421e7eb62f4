using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator.Payments;

/// <summary>
/// Every refund the provider has taken, in memory, in the order it took them: its idempotency store (the refund id is
/// the key), the state its background loop moves, and its ledger. Everything about a refund's future (its outcome, when
/// it ends, what becomes of its webhook) is drawn when it is recorded, from the settings of that moment.
/// </summary>
internal sealed class Refunds(TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, Entry> _byId = [];
    private readonly List<Entry> _inOrder = [];
    private readonly List<Entry> _processing = [];

    internal enum Taken { New, Replayed, Conflict }

    /// <summary>Records the refund once. The same id with an equal request is a replay; with another request, a conflict.</summary>
    public (Taken Taken, Refund Refund) Take(RequestRefund.Request request, PartySettings settings)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(request.RefundId!.Value, out var known))
            {
                return (known.Request == request ? Taken.Replayed : Taken.Conflict, known.Now);
            }
            var at = clock.GetUtcNow();
            var entry = new Entry(request, Outcome(settings), at.AddMilliseconds(settings.RefundProcessingMs ?? 0), WebhookPlan.Draw(settings))
            {
                Now = new Refund(request.RefundId.Value, request.PaymentId!, request.OrderId!.Value, request.Amount!.Value,
                    RefundStatus.Processing, at, CompletedAt: null),
            };
            _byId.Add(entry.Now.RefundId, entry);
            _inOrder.Add(entry);
            _processing.Add(entry);
            return (Taken.New, entry.Now);
        }
    }

    public Refund? Find(Guid refundId)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(refundId, out var entry) ? entry.Now : null;
        }
    }

    /// <summary>The ledger: every refund as it is now, oldest first, narrowed by any of the ids given.</summary>
    public IReadOnlyList<Refund> Read(Guid? refundId, string? paymentId, Guid? orderId)
    {
        lock (_lock)
        {
            return [.. _inOrder.Select(e => e.Now).Where(r => (refundId is null || r.RefundId == refundId)
                && (paymentId is null || r.PaymentId == paymentId) && (orderId is null || r.OrderId == orderId))];
        }
    }

    /// <summary>Ends every refund whose processing time is over; answers them with where to notify and how.</summary>
    public IReadOnlyList<Ended> EndDue()
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var due = _processing.Where(e => e.DueAt <= now).ToList();
            foreach (var entry in due)
            {
                entry.Now = entry.Now with { Status = entry.Outcome, CompletedAt = now };
            }
            _processing.RemoveAll(e => e.DueAt <= now);
            return [.. due.Select(e => new Ended(e.Now, e.Request.NotifyUrl is { } url ? new Uri(url) : null, e.Webhook))];
        }
    }

    internal sealed record Ended(Refund Refund, Uri? NotifyUrl, WebhookPlan Webhook);

    private static string Outcome(PartySettings settings)
    {
        var draw = Random.Shared.NextDouble();
        var closed = settings.RefundClosedProbability ?? 0;
        return draw < closed ? RefundStatus.Closed
            : draw < closed + (settings.RefundAbnormalProbability ?? 0) ? RefundStatus.Abnormal
            : RefundStatus.Success;
    }

    private sealed class Entry(RequestRefund.Request request, string outcome, DateTimeOffset dueAt, WebhookPlan webhook)
    {
        public RequestRefund.Request Request { get; } = request;
        public string Outcome { get; } = outcome;
        public DateTimeOffset DueAt { get; } = dueAt;
        public WebhookPlan Webhook { get; } = webhook;
        public required Refund Now { get; set; }
    }
}

/// <summary>What becomes of a refund's webhook: how many copies are sent (0: dropped, 2: duplicated), retried how often.</summary>
internal sealed record WebhookPlan(int Copies, int Retries)
{
    public static WebhookPlan Draw(PartySettings settings) => new(
        Random.Shared.NextDouble() < (settings.WebhookDropProbability ?? 0) ? 0
        : Random.Shared.NextDouble() < (settings.WebhookDuplicateProbability ?? 0) ? 2
        : 1,
        settings.WebhookRetries ?? 0);
}
