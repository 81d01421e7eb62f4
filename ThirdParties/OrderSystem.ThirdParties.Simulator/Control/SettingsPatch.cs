using System.Text.Json;

namespace OrderSystem.ThirdParties.Simulator.Control;

/// <summary>
/// A PUT body: any subset of the settings, by their exact camelCase names. Parsed by hand rather than deserialised, so
/// a null, a string where a number belongs or an unknown name is an error for that field and never a silent default.
/// The refund settings are names of the payments party only, pickupDelayMs of the logistics party only: for another party
/// they are unknown.
/// </summary>
internal static class SettingsPatch
{
    private const string Names = "delayMs, spikeProbability, spikeMs, failureProbability, down, hang, rejectProbability, rejectNext";
    private const string RefundNames = "lostAnswerProbability, refundProcessingMs, refundClosedProbability, "
        + "refundAbnormalProbability, webhookRetries, webhookDuplicateProbability, webhookDropProbability";

    /// <returns>The merged settings, or null and the errors per field (then nothing may change).</returns>
    public static PartySettings? Merge(JsonElement body, PartySettings current, Dictionary<string, string[]> errors)
    {
        var refunds = current.HasRefunds;
        var pickup = current.HasPickup;
        var names = refunds ? Names + ", " + RefundNames : pickup ? Names + ", pickupDelayMs" : Names;
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object with some of: " + names];
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
                "rejectNext" when Count(value, PartySettings.MaxRejectNext) is { } n => merged with { RejectNext = n },
                "down" when Flag(value) is { } on => merged with { Down = on },
                "hang" when Flag(value) is { } on => merged with { Hang = on },
                "lostAnswerProbability" when refunds && Probability(value) is { } p => merged with { LostAnswerProbability = p },
                "refundProcessingMs" when refunds && Milliseconds(value) is { } ms => merged with { RefundProcessingMs = ms },
                "refundClosedProbability" when refunds && Probability(value) is { } p => merged with { RefundClosedProbability = p },
                "refundAbnormalProbability" when refunds && Probability(value) is { } p => merged with { RefundAbnormalProbability = p },
                "pickupDelayMs" when pickup && Milliseconds(value) is { } ms => merged with { PickupDelayMs = ms },
                "webhookRetries" when refunds && Retries(value) is { } n => merged with { WebhookRetries = n },
                "webhookDuplicateProbability" when refunds && Probability(value) is { } p => merged with { WebhookDuplicateProbability = p },
                "webhookDropProbability" when refunds && Probability(value) is { } p => merged with { WebhookDropProbability = p },
                _ => Fail(errors, field.Name, refunds, names, merged),
            };
        }
        if (errors.Count == 0 && !merged.SharesFit)
        {
            errors["refundClosedProbability"] = [PartySettings.SharesError + ": the two are shares of one draw, the rest is SUCCESS"];
        }
        return errors.Count == 0 ? merged : null;
    }

    private static PartySettings Fail(Dictionary<string, string[]> errors, string name, bool refunds, string names, PartySettings unchanged)
    {
        var refundName = RefundNames.Split(", ").Contains(name);
        var probability = name.EndsWith("Probability", StringComparison.Ordinal) && (refundName || Names.Split(", ").Contains(name));
        errors[name] = [name switch
        {
            _ when refundName && !refunds => "is not a setting of this party (only payments has it); the settings are " + names,
            "pickupDelayMs" when !names.Contains("pickupDelayMs", StringComparison.Ordinal) => "is not a setting of this party (only logistics has it); the settings are " + names,
            "delayMs" or "spikeMs" or "refundProcessingMs" or "pickupDelayMs" => $"must be a whole number of milliseconds from 0 to {PartySettings.MaxMs}",
            "webhookRetries" => $"must be a whole number from 0 to {PartySettings.MaxWebhookRetries}",
            "rejectNext" => $"must be a whole number from 0 to {PartySettings.MaxRejectNext}",
            "down" or "hang" => "must be true or false",
            _ when probability => "must be a number from 0 to 1",
            _ => "is not a setting; the settings are " + names,
        }];
        return unchanged;
    }

    private static int? Milliseconds(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var ms) && ms is >= 0 and <= PartySettings.MaxMs ? ms : null;

    private static int? Count(JsonElement value, int max) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0 && n <= max ? n : null;

    private static int? Retries(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n is >= 0 and <= PartySettings.MaxWebhookRetries ? n : null;

    private static double? Probability(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var p) && PartySettings.IsProbability(p) ? p : null;

    private static bool? Flag(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
