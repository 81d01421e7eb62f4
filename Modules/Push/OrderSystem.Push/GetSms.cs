using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Push;

/// <summary>GET /api/users/{userId}/sms: the text messages sent to a buyer.</summary>
internal static class GetSms
{
    internal sealed record Sms(Guid OrderId, string Text, string Status, DateTime SentAt);

    private const string Sql = """
        SELECT order_id AS OrderId, text AS Text, status AS Status, sent_at AS SentAt
        FROM push_sms WHERE user_id = @UserId ORDER BY sent_at, order_id
        """;

    public static async Task<IResult> Handle(string userId, ModuleStore<ModuleTag> push, CancellationToken ct)
    {
        if (!UserIds.IsValid(userId))
        {
            return Problems.Validation("userId", UserIds.Message);
        }
        await using var connection = await push.Db.OpenAsync(ct);
        var messages = await connection.QueryAsync<Sms>(new CommandDefinition(Sql, new { UserId = userId }, cancellationToken: ct));
        return TypedResults.Ok(messages.AsList());
    }
}
