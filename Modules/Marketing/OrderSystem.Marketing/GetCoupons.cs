using Dapper;
using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Marketing;

/// <summary>GET /api/users/{userId}/coupons: every coupon issued to the buyer, revoked ones too.</summary>
internal static class GetCoupons
{
    /// <summary>Status Active, or Revoked (with revokedAt) once its order was cancelled.</summary>
    internal sealed record Coupon(Guid CouponId, Guid OrderId, string Code, decimal Value, DateTime IssuedAt, string Status, DateTime? RevokedAt);

    private const string Sql = """
        SELECT c.coupon_id AS CouponId, c.order_id AS OrderId, c.code AS Code, c.value AS Value, c.issued_at AS IssuedAt,
               CASE WHEN r.order_id IS NULL THEN 'Active' ELSE 'Revoked' END AS Status, r.created_at AS RevokedAt
        FROM marketing_coupons c LEFT JOIN marketing_revocations r ON r.order_id = c.order_id
        WHERE c.user_id = @UserId ORDER BY c.issued_at, c.coupon_id
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
