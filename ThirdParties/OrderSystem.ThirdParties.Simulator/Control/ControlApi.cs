namespace OrderSystem.ThirdParties.Simulator.Control;

/// <summary>GET, PUT (merge) and DELETE (back to the startup defaults) /control/{party}.</summary>
internal static class ControlApi
{
    public static void MapControlApi(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup("/control/{party}");
        control.MapGet("", (string party, PartyControl parties) =>
            parties.Knows(party) ? Results.Ok(parties.Current(party)) : Problems.UnknownParty(party));
        control.MapPut("", ChangeAsync);
        control.MapDelete("", (string party, PartyControl parties) =>
            parties.Knows(party) ? Results.Ok(parties.Reset(party)) : Problems.UnknownParty(party));
    }

    private static async Task<IResult> ChangeAsync(string party, HttpRequest request, PartyControl parties)
    {
        if (!parties.Knows(party))
        {
            return Problems.UnknownParty(party);
        }
        var (body, malformed) = await JsonBody.ReadAsync(request);
        if (body is null)
        {
            return malformed!;
        }
        using (body)
        {
            var errors = new Dictionary<string, string[]>();
            var merged = parties.Merge(party, current => SettingsPatch.Merge(body.RootElement, current, errors));
            return merged is null ? Problems.Invalid(errors) : Results.Ok(merged);
        }
    }
}
