using Dapper;
using MySqlConnector;
using OrderSystem.Feed.Client;
using OrderSystem.Feed.Contracts;

namespace OrderSystem.Analytics;

/// <summary>
/// Applies a batch of feed events to the reporting tables and moves the stored position in the same transaction: a
/// crash before the commit leaves both as they were, so the consumer reads the same events again from the old position.
/// The position's update checks the sequence it was read with; a second consumer on the same database cannot double count.
/// </summary>
internal static class ApplyEvents
{
    internal sealed record Position(long StreamOffset, long Sequence);

    private const string ReadPositionSql = "SELECT stream_offset AS StreamOffset, sequence AS Sequence FROM analytics_position WHERE id = 1";

    private const string UpsertOrderSql = """
        INSERT INTO analytics_orders (order_id, version, status, total_amount) VALUES (@OrderId, @Version, @Status, @TotalAmount)
        ON DUPLICATE KEY UPDATE version = VALUES(version), status = VALUES(status), total_amount = VALUES(total_amount)
        """;

    private const string AddRevenueSql = """
        INSERT INTO analytics_hourly_revenue (hour, orders_paid, revenue) VALUES (@Hour, @Orders, @Amount)
        ON DUPLICATE KEY UPDATE orders_paid = orders_paid + VALUES(orders_paid), revenue = revenue + VALUES(revenue)
        """;

    private const string AddSkuSql = """
        INSERT INTO analytics_sku_sales (sku, units, revenue) VALUES (@Sku, @Units, @Revenue)
        ON DUPLICATE KEY UPDATE units = units + VALUES(units), revenue = revenue + VALUES(revenue)
        """;

    private const string UpsertRefundSql = """
        INSERT INTO analytics_refunds (order_id, payment_id, amount, reason, state) VALUES (@OrderId, @PaymentId, @Amount, @Reason, @State)
        ON DUPLICATE KEY UPDATE amount = VALUES(amount), reason = VALUES(reason), state = VALUES(state)
        """;

    private const string FirstPositionSql = "INSERT INTO analytics_position (id, stream_offset, sequence) VALUES (1, @StreamOffset, @Sequence)";

    private const string MovePositionSql =
        "UPDATE analytics_position SET stream_offset = @StreamOffset, sequence = @Sequence WHERE id = 1 AND sequence = @Expected";

    private static MySqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = new MySqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    public static async Task<Position?> ReadPositionAsync(MySqlConnection connection) =>
        await connection.QuerySingleOrDefaultAsync<Position>(ReadPositionSql);

    /// <summary>Applies the deliveries that pass <paramref name="check"/> (repeats dropped, a gap throws); returns how many.</summary>
    public static async Task<int> ApplyAsync(MySqlConnection connection, Position? from, IReadOnlyList<FeedDelivery> deliveries, SequenceCheck check)
    {
        var taken = deliveries.Where(d => check.Accept(d.Event)).ToList();
        if (taken.Count == 0)
        {
            return 0;
        }
        await using var tx = await connection.BeginTransactionAsync();
        // Every row of the batch in one round trip: a batch commits in milliseconds, so a restart loses little work.
        await using var batch = new MySqlBatch(connection, tx);
        foreach (var e in taken.Select(d => d.Event))
        {
            batch.BatchCommands.Add(Command(UpsertOrderSql,
                ("@OrderId", e.OrderId), ("@Version", e.Version), ("@Status", e.Order.Status), ("@TotalAmount", e.Order.TotalAmount)));
            // Revenue is what paid orders keep: a paid order cancelled later gives its sale back (in the hour it was paid).
            var sign = e.Type switch
            {
                FeedEventTypes.OrderPaid => 1,
                FeedEventTypes.OrderCancelled when e.Order.PaidAt is not null => -1,
                _ => 0,
            };
            if (sign != 0)
            {
                var paidAt = e.Order.PaidAt ?? e.OccurredAt;
                batch.BatchCommands.Add(Command(AddRevenueSql,
                    ("@Hour", new DateTime(paidAt.Year, paidAt.Month, paidAt.Day, paidAt.Hour, 0, 0, DateTimeKind.Utc)),
                    ("@Orders", sign), ("@Amount", sign * e.Order.TotalAmount)));
                foreach (var i in e.Order.Items)
                {
                    batch.BatchCommands.Add(Command(AddSkuSql, ("@Sku", i.Sku), ("@Units", sign * i.Quantity), ("@Revenue", sign * i.Quantity * i.UnitPrice)));
                }
            }
            if (e is { Type: FeedEventTypes.RefundChanged, Change.Refund: { } refund })
            {
                batch.BatchCommands.Add(Command(UpsertRefundSql, ("@OrderId", e.OrderId), ("@PaymentId", refund.PaymentId),
                    ("@Amount", refund.Amount), ("@Reason", refund.Reason), ("@State", refund.State)));
            }
        }
        await batch.ExecuteNonQueryAsync();
        var last = taken[^1];
        var moved = from is null
            ? await connection.ExecuteAsync(FirstPositionSql, new { last.StreamOffset, last.Event.Sequence }, tx)
            : await connection.ExecuteAsync(MovePositionSql, new { last.StreamOffset, last.Event.Sequence, Expected = from.Sequence }, tx);
        if (moved != 1)
        {
            throw new InvalidOperationException("The stored position moved under this consumer: is another one running on this database?");
        }
        await tx.CommitAsync();
        return taken.Count;
    }
}
