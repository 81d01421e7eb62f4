using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.FlashSales.Contracts;
using StackExchange.Redis;

namespace OrderSystem.FlashSales;

/// <summary>
/// GET /api/flash-sales/{saleId}/tickets/{ticketId}: Ordered (with the order's id) or Rejected once written; Pending
/// while it waits in the store's stream.
/// </summary>
internal static class GetTicket
{
    internal sealed record Response(Guid TicketId, string SaleId, string Status, Guid? OrderId);

    private const string Sql = "SELECT status FROM flashsales_tickets WHERE ticket_id = @TicketId AND sale_id = @SaleId";

    public static async Task<IResult> Handle(string saleId, string ticketId, ModuleStore<ModuleTag> flashSales, SaleStore store, CancellationToken ct)
    {
        if (!SaleIds.IsValid(saleId))
        {
            return SaleProblems.InvalidSaleId();
        }
        if (!Guid.TryParseExact(ticketId, "D", out var id))
        {
            return Problems.Validation("ticketId", "The ticket id must be a GUID such as 0191f0c4-8d2a-7c3e-9b1a-2f4e5d6c7b8a.");
        }
        // The database first, then the store, which keeps every ticket it admitted until the sale is trimmed, and a sale
        // is trimmed only once all its tickets are written (decision 0025): a ticket is always in one of the two.
        if (await StatusAsync(flashSales, saleId, id, ct) is { } written)
        {
            return TypedResults.Ok(new Response(id, saleId, written, written == TicketStatus.Ordered ? id : null));
        }
        try
        {
            if (await store.IsPendingAsync(saleId, id))
            {
                // Written between the two looks, or still waiting.
                var status = await StatusAsync(flashSales, saleId, id, ct) ?? TicketStatus.Pending;
                return TypedResults.Ok(new Response(id, saleId, status, status == TicketStatus.Ordered ? id : null));
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return SaleProblems.StoreUnavailable();
        }
        return Problems.NotFound("Ticket", ticketId);
    }

    private static async Task<string?> StatusAsync(ModuleStore<ModuleTag> flashSales, string saleId, Guid ticketId, CancellationToken ct)
    {
        await using var connection = await flashSales.Db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(Sql, new { TicketId = ticketId, SaleId = saleId }, cancellationToken: ct));
    }
}
