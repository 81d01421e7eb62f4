using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Marketing;

/// <summary>GET /api/users/{userId}/coupons.</summary>
internal static class GetCoupons
{
    internal sealed record Coupon(Guid CouponId, Guid OrderId, string Code, decimal Value, DateTime IssuedAt);

    private const string Sql = """
        SELECT coupon_id AS CouponId, order_id AS OrderId, code AS Code, value AS Value, issued_at AS IssuedAt
        FROM marketing_coupons WHERE user_id = @UserId ORDER BY issued_at, coupon_id
        """;

    public static async Task<IResult> Handle(string userId, ModuleStore<ModuleTag> marketing, CancellationToken ct)
    {
        if (!UserIds.IsValid(userId))
        {
            return Problems.Validation("userId", UserIds.Message);
        }
        await using var connection = await marketing.Db.OpenAsync(ct);
        var coupons = await connection.QueryAsync<Coupon>(new CommandDefinition(Sql, new { UserId = userId }, cancellationToken: ct));
        return TypedResults.Ok(coupons.AsList());
    }
}
