using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.Operations.Console.Actions;
using OrderSystem.Operations.Console.Overview;

namespace OrderSystem.Operations.Console;

/// <summary>
/// The operator console at /ops: Razor Pages behind a cookie sign-in of their own (docs/operations-console.md). The
/// X-Api-Key admin API is not touched: scripts keep using it.
/// </summary>
public static class OperationsConsole
{
    public const string Scheme = "OpsCookie";
    public const string Policy = "Ops";
    public const string LoginRateLimit = "ops-login";

    /// <summary>Pages, their sign-in, the login limit, the overview sampler and the audit log.</summary>
    public static IHostApplicationBuilder AddOperationsConsole(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<ConsoleOptions>(builder.Configuration.GetSection("Ops"));
        builder.Services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.LoginPath = "/ops/login";
            cookie.AccessDeniedPath = "/ops/login";
            cookie.Cookie.Name = "ordersystem-ops";
            cookie.Cookie.Path = "/ops";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });
        // Another scheme (an external identity provider) joins by being added to this policy: see the docs.
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        builder.Services.AddRazorPages(pages =>
            {
                pages.Conventions.AuthorizeFolder("/", Policy);
                pages.Conventions.AllowAnonymousToPage("/Login");
            })
            .ConfigureApplicationPartManager(parts =>
            {
                var assembly = typeof(OperationsConsole).Assembly;
                if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly))
                {
                    parts.ApplicationParts.Add(new AssemblyPart(assembly));
                }
            });
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(LoginRateLimit, http => http.Request.Method == HttpMethods.Post
                ? RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, http.RequestServices.GetRequiredService<IOptions<ConsoleOptions>>().Value.LoginAttemptsPerMinute),
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("read"));
            limiter.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await Problems.Create(StatusCodes.Status429TooManyRequests, "too-many-sign-ins", "Too many sign-in attempts.",
                    "Wait a minute before trying to sign in again.").ExecuteAsync(context.HttpContext);
            };
        });
        builder.Services.AddSingleton<RecentMeasurements>();
        builder.Services.AddHttpClient(InFlightMessages.Client, http => http.Timeout = TimeSpan.FromSeconds(2));
        builder.Services.AddSingleton<InFlightMessages>();
        builder.Services.AddSingleton<OverviewSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OverviewSampler>());
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<ConsoleActions>();
        builder.Services.AddSingleton<Journey.JourneyMessages>();
        builder.Services.AddSingleton<Failures.FailureGroups>();
        return builder;
    }

    /// <summary>The sign-in in the pipeline, the pages, the overview's JSON and the embedded assets (the host adds the rate limiter).</summary>
    public static WebApplication UseOperationsConsole(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        var ops = app.MapGroup("/ops").ExcludeFromDescription();
        ops.MapGet("/api/overview", async (OverviewSampler sampler, CancellationToken ct) => TypedResults.Ok(await sampler.ReadAsync(ct)))
            .RequireAuthorization(Policy);
        ops.MapGet("/assets/{name}", ServeAsset); // the login page needs its style before anyone signs in
        return app;
    }

    private static IResult ServeAsset(string name)
    {
        var stream = typeof(OperationsConsole).Assembly.GetManifestResourceStream("ops-assets/" + name);
        if (stream is null)
        {
            return Results.NotFound();
        }
        var type = Path.GetExtension(name).ToLower(CultureInfo.InvariantCulture) switch
        {
            ".js" => "text/javascript",
            ".css" => "text/css",
            _ => "application/octet-stream",
        };
        return Results.Stream(stream, type);
    }
}
