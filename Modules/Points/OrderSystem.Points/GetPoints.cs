using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Points;

/// <summary>
/// GET /api/users/{userId}/points: the balance, every entry that makes it up, the points taken back for cancelled orders,
/// and the debt: what a cancellation could not take back because the balance no longer held it.
/// </summary>
internal static class GetPoints
{
    internal sealed record Entry(Guid OrderId, int Points, DateTime At);

    internal sealed record Reversal(Guid OrderId, int Granted, int Taken, int Debt, DateTime At);

    internal sealed record Response(string UserId, long Balance, long Debt, IReadOnlyList<Entry> Entries, IReadOnlyList<Reversal> Reversals);

    private const string Sql = """
        SELECT order_id AS OrderId, points AS Points, created_at AS At
        FROM points_entries WHERE user_id = @UserId ORDER BY created_at, order_id;
        SELECT order_id AS OrderId, granted AS Granted, taken AS Taken, debt AS Debt, created_at AS At
        FROM points_reversals WHERE user_id = @UserId ORDER BY created_at, order_id;
        """;

    public static async Task<IResult> Handle(string userId, ModuleStore<ModuleTag> points, CancellationToken ct)
    {
        if (!UserIds.IsValid(userId))
        {
            return Problems.Validation("userId", UserIds.Message);
        }
        await using var connection = await points.Db.OpenAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(Sql, new { UserId = userId }, cancellationToken: ct));
        var entries = (await results.ReadAsync<Entry>()).AsList();
        var reversals = (await results.ReadAsync<Reversal>()).AsList();
        return TypedResults.Ok(new Response(userId, entries.Sum(e => (long)e.Points) - reversals.Sum(r => (long)r.Taken),
            reversals.Sum(r => (long)r.Debt), entries, reversals));
    }
}
