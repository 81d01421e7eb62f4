using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.Push;

/// <summary>GET /api/users/{userId}/sms: the text messages sent to a buyer.</summary>
internal static class GetSms
{
    internal sealed record Sms(Guid OrderId, string Text, string Status, DateTime SentAt);

    private const string Sql = """
        SELECT order_id AS OrderId, text AS Text, status AS Status, sent_at AS SentAt
        FROM push_sms WHERE user_id = @UserId ORDER BY sent_at, order_id
        """;

    public static async Task<IResult> Handle(string userId, Db db, CancellationToken ct)
    {
        if (!UserIds.IsValid(userId))
        {
            return Problems.Validation("userId", UserIds.Message);
        }
        await using var connection = await db.OpenAsync(ct);
        var messages = await connection.QueryAsync<Sms>(new CommandDefinition(Sql, new { UserId = userId }, cancellationToken: ct));
        return TypedResults.Ok(messages.AsList());
    }
}
