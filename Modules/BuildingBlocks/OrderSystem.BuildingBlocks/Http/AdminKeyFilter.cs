using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace OrderSystem.BuildingBlocks.Http;

public static class AdminKeyFilter
{
    /// <summary>Every /api/admin route needs the header X-Api-Key equal to Admin:ApiKey.</summary>
    public static RouteGroupBuilder MapAdminGroup(this IEndpointRouteBuilder app, string prefix)
    {
        var group = app.MapGroup("/api/admin" + prefix)
            .WithRequiredHeader("X-Api-Key", "The admin key (Admin:ApiKey); without it the answer is 401.");
        group.AddEndpointFilter(async (context, next) =>
        {
            var configured = context.HttpContext.RequestServices.GetRequiredService<IConfiguration>()["Admin:ApiKey"];
            var given = context.HttpContext.Request.Headers["X-Api-Key"].ToString();
            return IsValid(configured, given)
                ? await next(context)
                : Problems.Create(StatusCodes.Status401Unauthorized, "unauthorized", "Admin key required.",
                    "Send the X-Api-Key header with the configured admin key.");
        });
        return group;
    }

    private static bool IsValid(string? configured, string given) =>
        !string.IsNullOrEmpty(configured) &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(configured), Encoding.UTF8.GetBytes(given));
}
