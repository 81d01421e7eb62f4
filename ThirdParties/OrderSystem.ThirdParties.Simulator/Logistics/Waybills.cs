using System.Collections.Concurrent;

namespace OrderSystem.ThirdParties.Simulator.Logistics;

/// <summary>
/// The logistics system's waybills and their states: Created, then PickedUp once its pickup time has come (fixed when it
/// is created, from pickupDelayMs), unless it was Cancelled before. In memory, as the ledgers are, and as bounded.
/// </summary>
internal sealed class Waybills(TimeProvider clock, Retention retention)
{
    private readonly ConcurrentDictionary<Guid, Waybill> _all = new();
    private readonly ConcurrentQueue<Guid> _inOrder = new();

    public void Add(Guid waybillId, Guid orderId, DateTimeOffset createdAt, int pickupDelayMs)
    {
        _all[waybillId] = new Waybill(waybillId, orderId, createdAt, createdAt.AddMilliseconds(pickupDelayMs));
        retention.Keep(_inOrder, waybillId, oldest => _all.TryRemove(oldest, out _));
    }

    public WaybillState? Find(Guid waybillId) => _all.TryGetValue(waybillId, out var waybill) ? waybill.StateAt(clock.GetUtcNow()) : null;

    /// <summary>
    /// Cancels it unless it was picked up (then Cancelled is null); a cancelled one stays cancelled, at its first time.
    /// Known is false for a waybill it never made or no longer keeps.
    /// </summary>
    public (bool Known, WaybillState? Cancelled) Cancel(Guid waybillId)
    {
        if (!_all.TryGetValue(waybillId, out var waybill))
        {
            return (false, null);
        }
        lock (waybill)
        {
            var now = clock.GetUtcNow();
            if (waybill.CancelledAt is null && now >= waybill.PickupAt)
            {
                return (true, null);
            }
            waybill.CancelledAt ??= now;
            return (true, waybill.StateAt(now));
        }
    }

    private sealed record Waybill(Guid WaybillId, Guid OrderId, DateTimeOffset CreatedAt, DateTimeOffset PickupAt)
    {
        public DateTimeOffset? CancelledAt { get; set; }

        public WaybillState StateAt(DateTimeOffset now) => CancelledAt is { } cancelled
            ? new(WaybillId, OrderId, WaybillStatus.Cancelled, CreatedAt, null, cancelled)
            : now >= PickupAt
                ? new(WaybillId, OrderId, WaybillStatus.PickedUp, CreatedAt, PickupAt, null)
                : new(WaybillId, OrderId, WaybillStatus.Created, CreatedAt, null, null);
    }
}

/// <summary>A waybill as GET /logistics/waybills/{id} shows it.</summary>
internal sealed record WaybillState(
    Guid WaybillId, Guid OrderId, string Status, DateTimeOffset CreatedAt, DateTimeOffset? PickedUpAt, DateTimeOffset? CancelledAt);

internal static class WaybillStatus
{
    public const string Created = "Created";
    public const string PickedUp = "PickedUp";
    public const string Cancelled = "Cancelled";
}
