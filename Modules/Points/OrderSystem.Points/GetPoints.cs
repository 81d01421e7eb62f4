using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Points;

/// <summary>GET /api/users/{userId}/points: the balance and every entry that makes it up.</summary>
internal static class GetPoints
{
    internal sealed record Entry(Guid OrderId, int Points, DateTime At);

    internal sealed record Response(string UserId, long Balance, IReadOnlyList<Entry> Entries);

    private const string Sql = """
        SELECT order_id AS OrderId, points AS Points, created_at AS At
        FROM points_entries WHERE user_id = @UserId ORDER BY created_at, order_id
        """;

    public static async Task<IResult> Handle(string userId, ModuleStore<ModuleTag> points, CancellationToken ct)
    {
        if (!UserIds.IsValid(userId))
        {
            return Problems.Validation("userId", UserIds.Message);
        }
        await using var connection = await points.Db.OpenAsync(ct);
        var entries = (await connection.QueryAsync<Entry>(new CommandDefinition(Sql, new { UserId = userId }, cancellationToken: ct))).AsList();
        return TypedResults.Ok(new Response(userId, entries.Sum(e => (long)e.Points), entries));
    }
}
