using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrderSystem.ThirdParties;

/// <summary>Registers a third party for the module that calls it, and maps /health/dependencies.</summary>
public static class ThirdPartyRegistration
{
    /// <summary>
    /// The party's named HttpClient (its own connection pool) behind its own pipeline, its <see cref="ThirdParty"/> (a
    /// keyed singleton: inject it with [FromKeyedServices(name)]) and the probe that closes its breaker again.
    /// ThirdParties:{name} overrides the module's defaults.
    /// </summary>
    public static IHostApplicationBuilder AddThirdParty(this IHostApplicationBuilder builder, string name, ThirdPartyResilience defaults)
    {
        var resilience = Merge(defaults, builder.Configuration.GetSection($"{ThirdPartiesOptions.Section}:{name}"));
        var services = builder.Services;
        services.AddOptions<ThirdPartiesOptions>().BindConfiguration(ThirdPartiesOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddKeyedSingleton(name, (sp, _) => new ThirdParty(name, resilience, sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<ThirdParty>()));
        services.AddSingleton(sp => sp.GetRequiredKeyedService<ThirdParty>(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ThirdPartyProbe>());

        services.AddHttpClient(name, (sp, client) =>
            {
                var baseUrl = sp.GetRequiredService<IOptions<ThirdPartiesOptions>>().Value.BaseUrl.ToString();
                client.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
                client.Timeout = Timeout.InfiniteTimeSpan; // the pipeline's timeouts rule
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // The bulkhead's other half: this party's own pool, no bigger than its concurrency.
                MaxConnectionsPerServer = resilience.Concurrency,
                ConnectTimeout = TimeSpan.FromMilliseconds(resilience.AttemptTimeoutMs),
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            .AddResilienceHandler(name, (pipeline, context) =>
                ThirdPartyPipeline.Configure(pipeline, context.ServiceProvider.GetRequiredKeyedService<ThirdParty>(name)));
        return builder;
    }

    /// <summary>
    /// GET /health/dependencies: each third party this process calls, its breaker and how many calls wait. Always 200:
    /// readiness is about taking payments, which no third party blocks; this is the operator's view of the parties.
    /// </summary>
    public static IEndpointRouteBuilder MapThirdPartyStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/dependencies", (IEnumerable<ThirdParty> parties) =>
            {
                var list = parties.Select(p => new DependencyStatus(p.Name, StateName(p.State), p.StateSince, p.Waiting)).ToList();
                return TypedResults.Ok(new DependenciesResponse(list.TrueForAll(p => p.Breaker == "closed") ? "healthy" : "degraded", list));
            })
            .WithTags("Health").Produces<DependenciesResponse>();
        return app;
    }

    private static string StateName(BreakerState state) => state switch
    {
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "half-open",
        _ => "closed",
    };

    private static ThirdPartyResilience Merge(ThirdPartyResilience defaults, IConfiguration section)
    {
        var merged = new ThirdPartyResilience
        {
            AttemptTimeoutMs = defaults.AttemptTimeoutMs, TotalTimeoutMs = defaults.TotalTimeoutMs, MaxRetries = defaults.MaxRetries,
            RetryDelayMs = defaults.RetryDelayMs, Concurrency = defaults.Concurrency, QueueLimit = defaults.QueueLimit,
            FailureRatio = defaults.FailureRatio, MinimumThroughput = defaults.MinimumThroughput,
            SamplingDurationMs = defaults.SamplingDurationMs, BreakDurationMs = defaults.BreakDurationMs,
        };
        section.Bind(merged);
        return merged;
    }

    /// <summary>One party in /health/dependencies.</summary>
    public sealed record DependencyStatus(string Party, string Breaker, DateTimeOffset Since, int Waiting);

    /// <summary>The answer of /health/dependencies.</summary>
    public sealed record DependenciesResponse(string Status, IReadOnlyList<DependencyStatus> Parties);
}
