using OrderSystem.ThirdParties.Simulator.Control;

namespace OrderSystem.ThirdParties.Simulator;

/// <summary>GET /{party}/status: a cheap probe that meets down, hang, delay and failure (never a refusal).</summary>
internal static class StatusProbes
{
    public static void MapStatusProbes(this IEndpointRouteBuilder app)
    {
        foreach (var party in Party.All)
        {
            app.MapGet($"/{party}/status", async (HttpContext http, PartyControl parties) =>
            {
                var settings = parties.Current(party);
                if (!await Faults.AnswersAsync(http, settings))
                {
                    return Results.Empty;
                }
                return await Faults.ProcessAsync(http, party, settings, mayReject: false) ?? Results.Ok(new { party, status = "up" });
            });
        }
    }
}
