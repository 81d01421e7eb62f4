using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;

namespace OrderSystem.FlashSales;

/// <summary>
/// When a sale has ended, what is left of it goes back to the product, once. The store closes the sale first (no
/// admission and no return reaches it after that, so its units left stop moving), then one transaction marks it closed
/// in the database and gives those units back to available stock. Closers on several hosts race harmlessly: the
/// conditional update lets one of them through.
/// </summary>
internal sealed partial class SaleCloser(
    ModuleStore<ModuleTag> flashSales, SaleStore store, IStock stock, IOptions<FlashSaleOptions> options, TimeProvider clock,
    ILogger<SaleCloser> logger) : BackgroundService
{
    private const string EndedSql = """
        SELECT id AS SaleId, sku AS Sku, units AS Units FROM flashsales_sales WHERE closed_at IS NULL AND ends_at <= @Now LIMIT 100
        """;

    // For a sale the store does not hold (it was never loaded, or the store lost it): the units no written ticket holds.
    private const string LeftByTicketsSql = """
        SELECT CAST(@Units - COALESCE((SELECT SUM(quantity) FROM flashsales_tickets WHERE sale_id = @SaleId), 0)
                    + COALESCE((SELECT SUM(quantity) FROM flashsales_returns WHERE sale_id = @SaleId AND returned_to = 'sale'), 0) AS SIGNED)
        """;

    private const string CloseSql = """
        UPDATE flashsales_sales SET closed_at = @Now, units_left_at_close = @Left WHERE id = @SaleId AND closed_at IS NULL
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CloseEndedAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogCloseFailed(e.Message, e);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(options.Value.CloserPollMs), clock, stoppingToken);
        }
    }

    internal async Task CloseEndedAsync(CancellationToken ct)
    {
        var now = clock.UtcNowForDatabase();
        await using var connection = await flashSales.Db.OpenAsync(ct);
        var ended = await connection.QueryAsync<(string SaleId, string Sku, int Units)>(new CommandDefinition(EndedSql, new { Now = now }, cancellationToken: ct));
        foreach (var (saleId, sku, units) in ended)
        {
            var left = await store.CloseAsync(saleId) ?? (int)await connection.ExecuteScalarAsync<long>(
                new CommandDefinition(LeftByTicketsSql, new { Units = units, SaleId = saleId }, cancellationToken: ct));
            await CloseAsync(connection, saleId, sku, left, now, ct);
        }
    }

    private async Task CloseAsync(MySqlConnection connection, string saleId, string sku, int left, DateTime now, CancellationToken ct)
    {
        try
        {
            await using var close = new MySqlBatch(connection)
            {
                BatchCommands =
                {
                    InlineTransaction.Start(),
                    new MySqlBatchCommand(CloseSql) { Parameters = { new("@Now", now), new("@Left", left), new("@SaleId", saleId) } },
                },
            };
            var first = await close.ExecuteNonQueryAsync(ct) == 1;
            if (first && left > 0)
            {
                await using var release = new MySqlBatch(connection) { BatchCommands = { (MySqlBatchCommand)stock.CreateReleaseCommand(sku, left) } };
                if (await release.ExecuteNonQueryAsync(ct) != 1)
                {
                    throw new InvalidOperationException($"Inventory holds fewer than {left} reserved units of {sku} for sale {saleId}.");
                }
            }
            await InlineTransaction.EndAsync(connection, commit: true, ct);
            if (first)
            {
                LogClosed(saleId, left);
            }
        }
        catch
        {
            await InlineTransaction.RollBackQuietlyAsync(connection);
            throw;
        }
    }

    [LoggerMessage(LogLevel.Information, "Flash sale {SaleId} closed: {Left} units went back to the product")]
    private partial void LogClosed(string saleId, int left);

    [LoggerMessage(LogLevel.Warning, "Closing ended flash sales failed: {Error}")]
    private partial void LogCloseFailed(string error, Exception exception);
}
