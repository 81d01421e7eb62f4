using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.FlashSales;

/// <summary>
/// One batch of tickets into the database, in one transaction of three round trips: the tickets (INSERT IGNORE, so a
/// ticket read twice, by a writer that took over a crashed one's, is written once), then the orders of those this very
/// transaction inserted, through Order's port, then COMMIT (decision 0034). A ticket whose sale the database does not
/// know is Rejected.
/// </summary>
internal sealed class WriteTickets(ModuleStore<ModuleTag> flashSales, IReservedOrders orders, TimeProvider clock)
{
    private const string InsertSql = """
        INSERT IGNORE INTO flashsales_tickets (ticket_id, sale_id, user_id, quantity, status, reason, attempt_id, admitted_at, written_at) VALUES
        """;

    // After the insert, inside the transaction: which tickets are ours to order, and the status of every one of the batch.
    private const string StatusSql = "SELECT ticket_id, status, attempt_id = @AttemptId FROM flashsales_tickets WHERE ticket_id IN ";

    internal sealed record Written(Ticket Ticket, string Status, bool New);

    public async Task<IReadOnlyList<Written>> RunAsync(IReadOnlyList<Ticket> tickets, CancellationToken ct)
    {
        var now = clock.UtcNowForDatabase();
        var attemptId = Guid.NewGuid();
        await using var connection = await flashSales.Db.OpenAsync(ct);
        try
        {
            var sales = await StoredSale.LoadManyAsync(connection, [.. tickets.Select(t => t.SaleId).Distinct()], ct);
            var written = await InsertAsync(connection, tickets, sales, attemptId, now, ct);
            var placed = written.Where(w => w.New && w.Status == TicketStatus.Ordered).Select(w =>
                new ReservedOrder(w.Ticket.TicketId, w.Ticket.UserId, sales[w.Ticket.SaleId].Sku, w.Ticket.Quantity, sales[w.Ticket.SaleId].Price)).ToList();
            await using var batch = new MySqlBatch(connection);
            foreach (var command in orders.CreatePlaceCommands(placed, now))
            {
                batch.BatchCommands.Add((MySqlBatchCommand)command);
            }
            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(ct);
            }
            await InlineTransaction.EndAsync(connection, commit: true, ct);
            return written;
        }
        catch
        {
            await InlineTransaction.RollBackQuietlyAsync(connection);
            throw;
        }
    }

    private static async Task<List<Written>> InsertAsync(MySqlConnection connection, IReadOnlyList<Ticket> tickets,
        Dictionary<string, StoredSale> sales, Guid attemptId, DateTime now, CancellationToken ct)
    {
        // Numbered parameter names only; every value is a parameter.
        var insert = new MySqlBatchCommand(InsertSql + string.Join(", ", tickets.Select((_, i) =>
            $"(@Id{i}, @Sale{i}, @User{i}, @Quantity{i}, @Status{i}, @Reason{i}, @AttemptId, @Admitted{i}, @Now)")))
        {
            Parameters = { new("@AttemptId", attemptId), new("@Now", now) },
        };
        var status = new MySqlBatchCommand(StatusSql + "(" + string.Join(", ", tickets.Select((_, i) => $"@Id{i}")) + ")")
        {
            Parameters = { new("@AttemptId", attemptId) },
        };
        for (var i = 0; i < tickets.Count; i++)
        {
            var ticket = tickets[i];
            var known = sales.ContainsKey(ticket.SaleId);
            insert.Parameters.Add(new MySqlParameter($"@Id{i}", ticket.TicketId));
            insert.Parameters.Add(new MySqlParameter($"@Sale{i}", ticket.SaleId));
            insert.Parameters.Add(new MySqlParameter($"@User{i}", ticket.UserId));
            insert.Parameters.Add(new MySqlParameter($"@Quantity{i}", ticket.Quantity));
            insert.Parameters.Add(new MySqlParameter($"@Status{i}", known ? TicketStatus.Ordered : TicketStatus.Rejected));
            insert.Parameters.Add(new MySqlParameter($"@Reason{i}", known ? null : "The sale is not defined in the database."));
            insert.Parameters.Add(new MySqlParameter($"@Admitted{i}", ticket.AdmittedAt));
            status.Parameters.Add(new MySqlParameter($"@Id{i}", ticket.TicketId));
        }
        await using var batch = new MySqlBatch(connection) { BatchCommands = { InlineTransaction.Start(), insert, status } };
        var byId = new Dictionary<Guid, (string Status, bool New)>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            do
            {
                while (reader.FieldCount > 0 && await reader.ReadAsync(ct))
                {
                    byId[reader.GetGuid(0)] = (reader.GetString(1), reader.GetInt64(2) == 1);
                }
            }
            while (await reader.NextResultAsync(ct));
        }
        return [.. tickets.Where(t => byId.ContainsKey(t.TicketId)).Select(t => new Written(t, byId[t.TicketId].Status, byId[t.TicketId].New))];
    }
}
