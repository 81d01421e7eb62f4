using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Messaging;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.FlashSales;

/// <summary>
/// A flash sale's order that lapsed unpaid (its window ended, or it was cancelled before payment) gives its units back:
/// to the sale while it is open, else to the product (<see cref="UnitReturns"/>). Order announces only such orders with
/// these two events, so no other order's expiry reaches this module.
/// </summary>
internal sealed class ReturnUnitsOnOrderLapsed(ModuleStore<ModuleTag> flashSales, UnitReturns returns, TimeProvider clock)
    : IConsumer<ReservedOrderExpired>, IConsumer<ReservedOrderCancelled>
{
    private const string TicketSql = """
        SELECT ticket_id AS TicketId, sale_id AS SaleId, user_id AS UserId, quantity AS Quantity, admitted_at AS AdmittedAt
        FROM flashsales_tickets WHERE ticket_id = @OrderId AND status = 'Ordered'
        """;

    public Task Consume(ConsumeContext<ReservedOrderExpired> context) => ReturnAsync(context, context.Message.OrderId);

    public Task Consume(ConsumeContext<ReservedOrderCancelled> context) => ReturnAsync(context, context.Message.OrderId);

    private async Task ReturnAsync(ConsumeContext context, Guid orderId)
    {
        Ticket? ticket;
        await using (var connection = await flashSales.Db.OpenAsync(context.CancellationToken))
        {
            ticket = await connection.QuerySingleOrDefaultAsync<Ticket>(new CommandDefinition(TicketSql, new { OrderId = orderId },
                cancellationToken: context.CancellationToken));
        }
        if (ticket is null || await flashSales.HasSeenAsync(context.MessageId!.Value, nameof(ReturnUnitsOnOrderLapsed), context.CancellationToken))
        {
            return;
        }
        var inbox = flashSales.Inbox.CreateRecord(context.MessageId!.Value, nameof(ReturnUnitsOnOrderLapsed), clock.UtcNowForDatabase());
        await returns.ReturnAsync(ticket, inbox, context.CancellationToken);
    }
}

internal sealed class ReturnUnitsOnOrderLapsedDefinition(IOptions<ConsumerRetryOptions> retry)
    : ModuleConsumerDefinition<ReturnUnitsOnOrderLapsed>(FlashSalesModule.Declaration, 16, retry);
