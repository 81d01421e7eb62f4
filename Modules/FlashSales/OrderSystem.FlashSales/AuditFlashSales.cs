using System.Data;
using Dapper;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;
using OrderSystem.Operations.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.FlashSales;

/// <summary>
/// The flash sales' audit: reservations (the store's counters), tickets, orders and stock must add up. Per sale, the store's
/// units left plus those admitted minus those given back equal the units defined, every admitted unit is in a written
/// ticket (once the stream is drained), and the returns match; per buyer, no more held than the limit; per SKU, Inventory's
/// reservation equals what the sales set aside minus what went back to the product and what paid orders took, as Order
/// reports it. The database side is read in one snapshot through the owners' ports.
/// </summary>
internal sealed class AuditFlashSales(ModuleStore<ModuleTag> flashSales, SaleStore store, IStock stock, IReservedOrders orders)
    : IReconciliationAudit
{
    private const string SalesSql = """
        SELECT s.id AS SaleId, s.sku AS Sku, CAST(s.units AS SIGNED) AS Units, CAST(COALESCE(s.units_left_at_close, 0) AS SIGNED) AS LeftAtClose,
               CAST(COALESCE((SELECT SUM(t.quantity) FROM flashsales_tickets t WHERE t.sale_id = s.id), 0) AS SIGNED) AS Written,
               CAST(COALESCE((SELECT SUM(r.quantity) FROM flashsales_returns r WHERE r.sale_id = s.id AND r.returned_to = 'sale'), 0) AS SIGNED) AS ToSale,
               CAST(COALESCE((SELECT SUM(r.quantity) FROM flashsales_returns r WHERE r.sale_id = s.id AND r.returned_to = 'product'), 0) AS SIGNED) AS ToProduct,
               CAST(s.units_admitted AS SIGNED) AS AdmittedAtTrim, CAST(s.units_returned_to_sale AS SIGNED) AS ReturnedAtTrim
        FROM flashsales_sales s ORDER BY s.id LIMIT 10000
        """;

    private const string OverLimitSql = """
        SELECT t.sale_id AS SaleId, t.user_id AS UserId, CAST(SUM(t.quantity) - COALESCE(SUM(r.quantity), 0) AS SIGNED) AS Held,
               CAST(s.per_user_limit AS SIGNED) AS PerUserLimit
        FROM flashsales_tickets t JOIN flashsales_sales s ON s.id = t.sale_id LEFT JOIN flashsales_returns r ON r.order_id = t.ticket_id
        GROUP BY t.sale_id, t.user_id, s.per_user_limit HAVING Held > PerUserLimit LIMIT @Limit
        """;

    private sealed record SaleRow(string SaleId, string Sku, long Units, long LeftAtClose, long Written, long ToSale, long ToProduct,
        long? AdmittedAtTrim, long? ReturnedAtTrim);

    private sealed record OverLimit(string SaleId, string UserId, long Held, long PerUserLimit);

    public async Task<IReadOnlyList<ReconciliationFinding>> AuditAsync(ReconciliationScope scope, CancellationToken ct)
    {
        List<SaleRow> sales;
        List<OverLimit> overLimit;
        IReadOnlyDictionary<string, long> reserved, paid;
        await using (var connection = await flashSales.Db.OpenAsync(ct))
        {
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            sales = (await connection.QueryAsync<SaleRow>(new CommandDefinition(SalesSql, transaction: tx, cancellationToken: ct))).AsList();
            overLimit = (await connection.QueryAsync<OverLimit>(new CommandDefinition(OverLimitSql, new { scope.Limit }, tx, cancellationToken: ct))).AsList();
            reserved = await stock.GetReservedAsync(tx, ct);
            paid = await orders.GetPaidQuantitiesAsync(tx, ct);
            await tx.CommitAsync(ct);
        }
        var findings = new List<ReconciliationFinding>();
        if (sales.Count == 0)
        {
            return findings; // no sale ever: the store is not asked (nor needed)
        }
        var waiting = await store.Db.StreamLengthAsync(store.Stream);
        foreach (var sale in sales)
        {
            // A trimmed sale's keys are gone: the store's counters as the trim verified and copied them stand in (decision 0025).
            var trimmed = sale.AdmittedAtTrim is not null;
            var counters = trimmed
                ? new SaleCounters((int)sale.Units, (int)sale.LeftAtClose, sale.AdmittedAtTrim!.Value, sale.ReturnedAtTrim ?? 0, Closed: true)
                : await store.ReadAsync(sale.SaleId);
            if (counters is null)
            {
                findings.Add(Finding("flash-sale-not-in-store", sale.SaleId, "the database holds the sale, the store does not"));
                continue;
            }
            if (counters.Left + counters.Admitted - counters.Returned != sale.Units)
            {
                findings.Add(Finding("flash-store-mismatch", sale.SaleId,
                    $"units {sale.Units}, but the store has {counters.Left} left + {counters.Admitted} admitted - {counters.Returned} returned"));
            }
            if ((waiting == 0 || trimmed) && sale.Written != counters.Admitted)
            {
                findings.Add(Finding("flash-tickets-unwritten", sale.SaleId,
                    $"the store admitted {counters.Admitted} units, the database holds tickets for {sale.Written}, and the stream is empty"));
            }
            if (sale.ToSale != counters.Returned)
            {
                findings.Add(Finding("flash-returns-mismatch", sale.SaleId,
                    $"the store took back {counters.Returned} units, the database recorded {sale.ToSale}"));
            }
        }
        if (waiting > 0)
        {
            findings.Add(Finding("flash-tickets-waiting", "stream", $"{waiting} admitted requests are not written yet"));
        }
        findings.AddRange(overLimit.Select(o => Finding("flash-limit-exceeded", $"{o.SaleId}/{o.UserId}", $"holds {o.Held}, limit {o.PerUserLimit}")));
        foreach (var sku in sales.Select(s => s.Sku).Distinct(StringComparer.Ordinal))
        {
            var expected = sales.Where(s => s.Sku == sku).Sum(s => s.Units - s.LeftAtClose - s.ToProduct) - paid.GetValueOrDefault(sku);
            if (expected != reserved.GetValueOrDefault(sku))
            {
                findings.Add(Finding("flash-reserved-mismatch", sku,
                    $"Inventory reserves {reserved.GetValueOrDefault(sku)}, the sales hold {expected} (after {paid.GetValueOrDefault(sku)} paid)"));
            }
        }
        return [.. findings.Take(scope.Limit)];
    }

    private static ReconciliationFinding Finding(string check, string subject, string detail) =>
        new(check, FlashSalesModule.Declaration.Name, subject, detail);
}
