using System.Data.Common;
using Dapper;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Inventory.Contracts;

namespace OrderSystem.FlashSales;

/// <summary>
/// Gives a lapsed ticket's units back, once: the store decides where (the open sale, else the product) and remembers it
/// per ticket, then the database records the return, and a return to the product moves Inventory's reservation back to
/// available stock in that same transaction. Each step repeats harmlessly, so a crash between them is mended by the
/// next attempt (a redelivery, or a writer taking the ticket over).
/// </summary>
internal sealed class UnitReturns(ModuleStore<ModuleTag> flashSales, SaleStore store, IStock stock, SoldOutMemo soldOut, TimeProvider clock)
{
    private const string RecordSql = """
        INSERT IGNORE INTO flashsales_returns (order_id, sale_id, quantity, returned_to, attempt_id, created_at)
        VALUES (@OrderId, @SaleId, @Quantity, @ReturnedTo, @AttemptId, @Now)
        """;

    private const string SkuSql = "SELECT sku FROM flashsales_sales WHERE id = @SaleId";

    /// <param name="inboxRecord">The consumer's inbox row, written first in the same transaction; null for the order writer.</param>
    public async Task ReturnAsync(Ticket ticket, DbBatchCommand? inboxRecord, CancellationToken ct)
    {
        var target = await store.ReturnAsync(ticket.SaleId, ticket.TicketId, ticket.UserId, ticket.Quantity);
        if (target == "sale")
        {
            soldOut.Forget(ticket.SaleId);
        }
        var now = clock.UtcNowForDatabase();
        await using var connection = await flashSales.Db.OpenAsync(ct);
        try
        {
            await using var batch = new MySqlBatch(connection) { BatchCommands = { InlineTransaction.Start() } };
            if (inboxRecord is not null)
            {
                batch.BatchCommands.Add((MySqlBatchCommand)inboxRecord);
            }
            batch.BatchCommands.Add(new MySqlBatchCommand(RecordSql)
            {
                Parameters =
                {
                    new("@OrderId", ticket.TicketId), new("@SaleId", ticket.SaleId), new("@Quantity", ticket.Quantity),
                    new("@ReturnedTo", target), new("@AttemptId", Guid.NewGuid()), new("@Now", now),
                },
            });
            var recorded = await batch.ExecuteNonQueryAsync(ct) == batch.BatchCommands.Count - 1;
            if (recorded && target == "product")
            {
                var sku = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(SkuSql, new { ticket.SaleId }, cancellationToken: ct));
                if (sku is not null)
                {
                    await using var release = new MySqlBatch(connection) { BatchCommands = { (MySqlBatchCommand)stock.CreateReleaseCommand(sku, ticket.Quantity) } };
                    if (await release.ExecuteNonQueryAsync(ct) != 1)
                    {
                        throw new InvalidOperationException(
                            $"Inventory holds fewer than {ticket.Quantity} reserved units of {sku} for ticket {ticket.TicketId}: reconciliation will show it.");
                    }
                }
            }
            await InlineTransaction.EndAsync(connection, commit: true, ct);
        }
        catch
        {
            await InlineTransaction.RollBackQuietlyAsync(connection);
            throw;
        }
    }
}

/// <summary>An admitted request, as the store's stream and the tickets table hold it; the order's id is <see cref="TicketId"/>.</summary>
internal sealed record Ticket(Guid TicketId, string SaleId, string UserId, int Quantity, DateTime AdmittedAt);
