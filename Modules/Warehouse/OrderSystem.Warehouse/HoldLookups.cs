using Dapper;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Warehouse;

/// <summary>
/// Answers "is this order held?" for many shipments with one query: asks made while a lookup is in flight wait for it to
/// end and then go together, as group commit does for writes; a lone ask goes at once, so a quiet system waits for
/// nothing. Every shipment asks twice (before its waybill and after recording it), so one round trip per ask was two
/// per payment. Each ask is answered by a read that began after it was made, so "record, then look" keeps its order.
/// </summary>
internal sealed class HoldLookups(ModuleStore<ModuleTag> warehouse)
{
    private const int MaxOrdersPerQuery = 256;

    private const string HeldSql = "SELECT order_id FROM warehouse_holds WHERE order_id IN @OrderIds";

    private readonly Lock _gate = new();
    private readonly List<Ask> _waiting = [];
    private bool _reading;

    public Task<bool> IsHeldAsync(Guid orderId, CancellationToken ct)
    {
        var ask = new Ask(orderId);
        lock (_gate)
        {
            _waiting.Add(ask);
            if (_reading)
            {
                return ask.Held.Task.WaitAsync(ct);
            }
            _reading = true;
        }
        // The reader serves many consumers: it must not run inside this one's trace nor keep its context.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(ReadWhileAskedAsync);
        }
        return ask.Held.Task.WaitAsync(ct);
    }

    private async Task ReadWhileAskedAsync()
    {
        while (TakeAsks() is { } asks)
        {
            try
            {
                await using var connection = await warehouse.Db.OpenAsync(CancellationToken.None);
                var orderIds = asks.Select(a => a.OrderId).Distinct().ToArray();
                var held = (await connection.QueryAsync<Guid>(HeldSql, new { OrderIds = orderIds })).ToHashSet();
                asks.ForEach(a => a.Held.TrySetResult(held.Contains(a.OrderId)));
            }
            catch (Exception e)
            {
                // Each consumer meets the failure as if it had read alone: its message is retried as before.
                asks.ForEach(a => a.Held.TrySetException(e));
            }
        }
    }

    /// <summary>The asks waiting now (at most one query's worth), or null once nobody waits (the reader ends).</summary>
    private List<Ask>? TakeAsks()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _reading = false;
                return null;
            }
            var take = Math.Min(_waiting.Count, MaxOrdersPerQuery);
            var asks = _waiting.GetRange(0, take);
            _waiting.RemoveRange(0, take);
            return asks;
        }
    }

    private sealed record Ask(Guid OrderId)
    {
        public TaskCompletionSource<bool> Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
