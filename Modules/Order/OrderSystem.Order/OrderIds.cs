using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;

namespace OrderSystem.Order;

internal static class OrderIds
{
    /// <summary>Route ids are parsed by hand so a malformed one gets a 400 that says why, not a bare 404.</summary>
    public static bool TryParse(string value, out Guid id, out IResult? problem)
    {
        problem = Guid.TryParseExact(value, "D", out id)
            ? null
            : Problems.Validation("orderId", "The order id must be a GUID such as 0191f0c4-8d2a-7c3e-9b1a-2f4e5d6c7b8a.");
        return problem is null;
    }
}
