using Dapper;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;
using OrderSystem.Order.Fulfillment;

namespace OrderSystem.Order;

/// <summary>
/// The operator console's view of orders (<see cref="IOrderOperations"/>). Counting by status and the due count read the
/// due index (status, expires_at); a search reads the primary key and the user and payment indexes, never the table.
/// </summary>
internal sealed class OrderOperations(ModuleStore<ModuleTag> orders, OrderCancellation cancellation) : IOrderOperations
{
    internal const string CountByStatusSql = "SELECT status, COUNT(*) FROM order_orders GROUP BY status";

    internal const string CountDueSql = """
        SELECT COUNT(*) FROM order_orders WHERE status = 'Created' AND expires_at > @From AND expires_at <= @To
        """;

    // The first entry of the due range: MIN over the index (status, expires_at) reads one entry.
    internal const string OldestOverdueSql = "SELECT MIN(expires_at) FROM order_orders WHERE status = 'Created' AND expires_at <= @Now";

    private const string SummaryColumns = """
        id AS OrderId, user_id AS UserId, status AS Status, total_amount AS TotalAmount, payment_id AS PaymentId, created_at AS CreatedAt
        """;

    // Three index lookups joined by UNION: an OR across three columns would scan the table.
    internal const string SearchSql = $"""
        SELECT {SummaryColumns} FROM order_orders WHERE id = @Term
        UNION SELECT {SummaryColumns} FROM order_orders WHERE user_id = @Term
        UNION SELECT {SummaryColumns} FROM order_orders WHERE payment_id = @Term
        ORDER BY CreatedAt DESC LIMIT @Limit
        """;

    // The newest orders by primary key (order ids are version 7 GUIDs: their text sorts by creation time), a backward
    // range of the key, then each one's steps by their key: no scan, whatever the table's size.
    internal const string FulfillmentLagSql = """
        SELECT o.id AS OrderId, f.step AS Step, f.status AS Status, TIMESTAMPDIFF(MICROSECOND, o.paid_at, f.at) AS LagMicroseconds
        FROM (SELECT id, paid_at FROM order_orders ORDER BY id DESC LIMIT @Latest) o
        LEFT JOIN order_fulfillment f ON f.order_id = o.id
        WHERE o.paid_at IS NOT NULL
        """;

    internal const string MessagesAtSql = """
        SELECT id AS Position, message_id AS MessageId, message_type AS MessageType, trace_parent AS TraceParent
        FROM order_outbox WHERE id IN @Positions
        """;

    internal const string StepsSql = """
        SELECT step AS Step, status AS Status, at AS At, attempts AS Attempts, message_id AS MessageId
        FROM order_fulfillment WHERE order_id = @Id
        """;

    public async Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        var rows = await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(CountByStatusSql, cancellationToken: ct));
        return rows.ToDictionary(r => r.Status, r => r.Count);
    }

    public async Task<long> CountDueAsync(DateTime from, DateTime to, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountDueSql, new { From = from, To = to }, cancellationToken: ct));
    }

    public async Task<DateTime?> OldestOverdueAsync(DateTime now, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(OldestOverdueSql, new { Now = now }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<OrderSummary>> SearchAsync(string term, int limit, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        return (await connection.QueryAsync<OrderSummary>(new CommandDefinition(SearchSql, new { Term = term.Trim(), Limit = limit },
            cancellationToken: ct))).AsList();
    }

    public async Task<OrderJourney?> JourneyAsync(Guid orderId, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        if (await StoredOrder.LoadAsync(connection, orderId, ct) is not { } order)
        {
            return null;
        }
        var reported = (await connection.QueryAsync<FulfillmentStepState>(new CommandDefinition(StepsSql, new { Id = orderId }, cancellationToken: ct)))
            .ToDictionary(s => s.Step);
        var steps = Enum.GetValues<FulfillmentStep>().Select(FulfillmentWrites.NameOf)
            .Select(name => reported.GetValueOrDefault(name) ?? new FulfillmentStepState(name, "Pending", null)).ToList();
        return new OrderJourney(
            new OrderSummary(order.OrderId, order.UserId, order.Status, order.TotalAmount, order.PaymentId, order.CreatedAt),
            order.ExpiresAt, order.PaidAt, order.ExpiredAt, order.CancelledAt, order.CancelReason, steps);
    }

    public async Task<IReadOnlyList<FulfillmentLag>> FulfillmentLagAsync(int latestOrders, CancellationToken ct)
    {
        await using var connection = await orders.Db.OpenAsync(ct);
        var rows = (await connection.QueryAsync<(Guid OrderId, string? Step, string? Status, long? LagMicroseconds)>(new CommandDefinition(
            FulfillmentLagSql, new { Latest = latestOrders }, cancellationToken: ct))).AsList();
        var paid = rows.Select(r => r.OrderId).Distinct().Count();
        return [.. Enum.GetValues<FulfillmentStep>().Select(FulfillmentWrites.NameOf).Select(step =>
        {
            var done = rows.Where(r => r.Step == step && r.Status == "Done").Select(r => Math.Max(0, r.LagMicroseconds ?? 0) / 1000.0)
                .Order().ToList();
            return new FulfillmentLag(step, done.Count, paid - done.Count, Percentile(done, 0.50), Percentile(done, 0.99));
        })];
    }

    public async Task<IReadOnlyList<OrderMessage>> MessagesAtAsync(IReadOnlyCollection<long> positions, CancellationToken ct)
    {
        if (positions.Count == 0)
        {
            return [];
        }
        await using var connection = await orders.Db.OpenAsync(ct);
        return (await connection.QueryAsync<OrderMessage>(new CommandDefinition(MessagesAtSql, new { Positions = positions }, cancellationToken: ct)))
            .AsList();
    }

    private static double? Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    public async Task<CloseOutcome> CloseUnpaidAsync(Guid orderId, string reason, CancellationToken ct)
    {
        await using (var connection = await orders.Db.OpenAsync(ct))
        {
            switch (await StoredOrder.LoadAsync(connection, orderId, ct))
            {
                case null:
                    return CloseOutcome.NotFound;
                case { Status: OrderStatus.Cancelled, PaidAt: null, CancelReason: not null }:
                    return CloseOutcome.AlreadyClosed;
                case { Status: not OrderStatus.Created }:
                    return CloseOutcome.NotUnpaid;
            }
        }
        // The cancellation's own status condition decides a race with a payment or the expiry closer: look again after it.
        await cancellation.CancelAsync(orderId, reason, ct);
        await using var again = await orders.Db.OpenAsync(ct);
        return await StoredOrder.LoadAsync(again, orderId, ct) is { Status: OrderStatus.Cancelled, PaidAt: null }
            ? CloseOutcome.Closed
            : CloseOutcome.NotUnpaid;
    }
}
