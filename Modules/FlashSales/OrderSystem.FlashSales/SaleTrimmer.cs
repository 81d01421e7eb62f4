using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using StackExchange.Redis;

namespace OrderSystem.FlashSales;

/// <summary>
/// Deletes a settled sale's keys from the store FlashSales:TrimAfter after its close, so the store does not grow with every
/// sale (decision 0025). Settled: closed in both places, every admitted unit in a written ticket, every return to the sale
/// recorded, and no request of it left in the stream. A closed sale's counters never move again, so a check that passed
/// keeps holding. The counters are copied into the sale's row with the claim (trim_started_at, which one host sets), then
/// the keys go, then trimmed_at: a host that dies in between leaves a claimed sale that the next pass of any host finishes.
/// Each pass also removes the consumers of writers that are gone from the stream's group (<see cref="StaleWriters"/>).
/// </summary>
internal sealed partial class SaleTrimmer(
    ModuleStore<ModuleTag> flashSales, SaleStore store, StaleWriters staleWriters, IOptions<FlashSaleOptions> options, TimeProvider clock,
    ILogger<SaleTrimmer> logger) : BackgroundService
{
    // A live writer reads the stream at least every second or so; one silent for an hour, holding nothing, is gone.
    private static readonly TimeSpan WriterGoneAfter = TimeSpan.FromHours(1);

    private const string DueSql = """
        SELECT s.id AS SaleId, CAST(s.units_left_at_close AS SIGNED) AS LeftAtClose, s.trim_started_at AS ClaimedAt,
               CAST(COALESCE((SELECT SUM(t.quantity) FROM flashsales_tickets t WHERE t.sale_id = s.id), 0) AS SIGNED) AS Written,
               CAST(COALESCE((SELECT SUM(r.quantity) FROM flashsales_returns r WHERE r.sale_id = s.id AND r.returned_to = 'sale'), 0) AS SIGNED) AS ToSale
        FROM flashsales_sales s WHERE s.trimmed_at IS NULL AND s.closed_at <= @ClosedBefore ORDER BY s.closed_at LIMIT 100
        """;

    private const string ClaimSql = """
        UPDATE flashsales_sales SET trim_started_at = @Now, units_admitted = @Admitted, units_returned_to_sale = @Returned
        WHERE id = @SaleId AND trim_started_at IS NULL AND closed_at IS NOT NULL
        """;

    private const string TrimmedSql = "UPDATE flashsales_sales SET trimmed_at = @Now WHERE id = @SaleId AND trimmed_at IS NULL";

    private sealed record DueSale(string SaleId, long LeftAtClose, DateTime? ClaimedAt, long Written, long ToSale);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TrimSettledAsync(options.Value.TrimAfter, stoppingToken);
                await staleWriters.RemoveAsync(WriterGoneAfter);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogTrimFailed(e.Message, e);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(options.Value.TrimPollMs), clock, stoppingToken);
        }
    }

    /// <summary>Trims the settled sales closed at least <paramref name="trimAfter"/> ago; answers those this call claimed.</summary>
    internal async Task<IReadOnlyList<string>> TrimSettledAsync(TimeSpan trimAfter, CancellationToken ct)
    {
        var now = clock.UtcNowForDatabase();
        await using var connection = await flashSales.Db.OpenAsync(ct);
        var due = await connection.QueryAsync<DueSale>(new CommandDefinition(DueSql, new { ClosedBefore = now - trimAfter }, cancellationToken: ct));
        var claimed = new List<string>();
        foreach (var sale in due)
        {
            if (sale.ClaimedAt is null)
            {
                if (await SettledCountersAsync(sale) is not { } counters || !await ClaimAsync(connection, sale.SaleId, counters, now, ct))
                {
                    continue; // not settled yet, or another host claimed it first and finishes it
                }
                claimed.Add(sale.SaleId);
            }
            await store.Db.KeyDeleteAsync(store.SaleKeys(sale.SaleId));
            await connection.ExecuteAsync(new CommandDefinition(TrimmedSql, new { sale.SaleId, Now = now }, cancellationToken: ct));
            LogTrimmed(sale.SaleId);
        }
        return claimed;
    }

    private async Task<SaleCounters?> SettledCountersAsync(DueSale sale)
    {
        // A sale the store lacks was never loaded or was lost: the reconciliation reports it, a trim must not hide it.
        var counters = await store.ReadAsync(sale.SaleId);
        var settled = counters is { Closed: true } && counters.Left == sale.LeftAtClose && counters.Admitted == sale.Written &&
                      counters.Returned == sale.ToSale;
        return settled && !await HasQueuedAsync(sale.SaleId) ? counters : null;
    }

    private static async Task<bool> ClaimAsync(MySqlConnection connection, string saleId, SaleCounters counters, DateTime now, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition(ClaimSql,
            new { SaleId = saleId, Now = now, counters.Admitted, counters.Returned }, cancellationToken: ct)) == 1;

    // Requests unread, or read and not yet acknowledged and deleted (the writer deletes each entry once written): the
    // stream is shared by all sales, and holds only what is in flight.
    private async Task<bool> HasQueuedAsync(string saleId)
    {
        const int page = 500;
        RedisValue from = "-";
        while (true)
        {
            var entries = await store.Db.StreamRangeAsync(store.Stream, from, "+", page);
            if (entries.Any(e => e["sale"] == saleId))
            {
                return true;
            }
            if (entries.Length < page)
            {
                return false;
            }
            from = "(" + entries[^1].Id; // exclusive: the page after the last entry read
        }
    }

    [LoggerMessage(LogLevel.Information, "Flash sale {SaleId} trimmed: its keys are gone from the store")]
    private partial void LogTrimmed(string saleId);

    [LoggerMessage(LogLevel.Warning, "Trimming settled flash sales failed: {Error}")]
    private partial void LogTrimFailed(string error, Exception exception);
}
