using System.Text.Json;

namespace OrderSystem.ThirdParties.Simulator.Control;

/// <summary>
/// A PUT body: any subset of the settings, by their exact camelCase names. Parsed by hand rather than deserialised, so
/// a null, a string where a number belongs or an unknown name is an error for that field and never a silent default.
/// </summary>
internal static class SettingsPatch
{
    private const string Names = "delayMs, spikeProbability, spikeMs, failureProbability, down, hang, rejectProbability";

    /// <returns>The merged settings, or null and the errors per field (then nothing may change).</returns>
    public static PartySettings? Merge(JsonElement body, PartySettings current, Dictionary<string, string[]> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object with some of: " + Names];
            return null;
        }
        var merged = current;
        foreach (var field in body.EnumerateObject())
        {
            var value = field.Value;
            merged = field.Name switch
            {
                "delayMs" when Milliseconds(value) is { } ms => merged with { DelayMs = ms },
                "spikeMs" when Milliseconds(value) is { } ms => merged with { SpikeMs = ms },
                "spikeProbability" when Probability(value) is { } p => merged with { SpikeProbability = p },
                "failureProbability" when Probability(value) is { } p => merged with { FailureProbability = p },
                "rejectProbability" when Probability(value) is { } p => merged with { RejectProbability = p },
                "down" when Flag(value) is { } on => merged with { Down = on },
                "hang" when Flag(value) is { } on => merged with { Hang = on },
                _ => Fail(errors, field.Name, merged),
            };
        }
        return errors.Count == 0 ? merged : null;
    }

    private static PartySettings Fail(Dictionary<string, string[]> errors, string name, PartySettings unchanged)
    {
        errors[name] = [name switch
        {
            "delayMs" or "spikeMs" => $"must be a whole number of milliseconds from 0 to {PartySettings.MaxMs}",
            "spikeProbability" or "failureProbability" or "rejectProbability" => "must be a number from 0 to 1",
            "down" or "hang" => "must be true or false",
            _ => "is not a setting; the settings are " + Names,
        }];
        return unchanged;
    }

    private static int? Milliseconds(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var ms) && ms is >= 0 and <= PartySettings.MaxMs ? ms : null;

    private static double? Probability(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var p) && PartySettings.IsProbability(p) ? p : null;

    private static bool? Flag(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
