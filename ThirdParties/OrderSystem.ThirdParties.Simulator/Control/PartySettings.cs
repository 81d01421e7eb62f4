using System.Text.Json.Serialization;

namespace OrderSystem.ThirdParties.Simulator.Control;

/// <summary>
/// The faults of one party. Serialised as the public control contract, in this order:
/// delayMs, spikeProbability, spikeMs, failureProbability, down, hang, rejectProbability, rejectNext, then for the payments party
/// only (null, so left out, for the others) its refund settings: lostAnswerProbability, refundProcessingMs,
/// refundClosedProbability, refundAbnormalProbability, webhookRetries, webhookDuplicateProbability, webhookDropProbability;
/// and for the logistics party only, pickupDelayMs: how long after its creation a waybill is picked up (0: at once).
/// </summary>
internal sealed record PartySettings
{
    public const int MaxMs = 600_000;
    public const int MaxWebhookRetries = 20;
    public const int MaxRejectNext = 1000;

    public int DelayMs { get; init; }
    public double SpikeProbability { get; init; }
    public int SpikeMs { get; init; }
    public double FailureProbability { get; init; }
    public bool Down { get; init; }
    public bool Hang { get; init; }
    public double RejectProbability { get; init; }

    /// <summary>How many of the next calls are refused (422) whatever the probability: a transient refusal, one call each.</summary>
    public int RejectNext { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LostAnswerProbability { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RefundProcessingMs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? RefundClosedProbability { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? RefundAbnormalProbability { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WebhookRetries { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? WebhookDuplicateProbability { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? WebhookDropProbability { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PickupDelayMs { get; init; }

    /// <summary>Whether these are the settings of a party that picks parcels up (the logistics party).</summary>
    [JsonIgnore]
    public bool HasPickup => PickupDelayMs is not null;

    /// <summary>The default pickup: half a minute after the waybill, time enough to cancel it.</summary>
    public PartySettings WithPickupDefault() => this with { PickupDelayMs = PickupDelayMs ?? 30_000 };

    /// <summary>Whether these are the settings of a party with refunds (the payments party).</summary>
    [JsonIgnore]
    public bool HasRefunds => LostAnswerProbability is not null || RefundProcessingMs is not null || RefundClosedProbability is not null
        || RefundAbnormalProbability is not null || WebhookRetries is not null || WebhookDuplicateProbability is not null
        || WebhookDropProbability is not null;

    /// <summary>The refund settings filled in with their defaults where the configuration leaves them out.</summary>
    public PartySettings WithRefundDefaults() => this with
    {
        LostAnswerProbability = LostAnswerProbability ?? 0,
        RefundProcessingMs = RefundProcessingMs ?? 300,
        RefundClosedProbability = RefundClosedProbability ?? 0,
        RefundAbnormalProbability = RefundAbnormalProbability ?? 0,
        WebhookRetries = WebhookRetries ?? 5,
        WebhookDuplicateProbability = WebhookDuplicateProbability ?? 0,
        WebhookDropProbability = WebhookDropProbability ?? 0,
    };

    /// <summary>The same rules as a PUT, for the startup defaults.</summary>
    public IEnumerable<string> Errors()
    {
        if (DelayMs is < 0 or > MaxMs) { yield return $"DelayMs {DelayMs} is not from 0 to {MaxMs}"; }
        if (SpikeMs is < 0 or > MaxMs) { yield return $"SpikeMs {SpikeMs} is not from 0 to {MaxMs}"; }
        if (!IsProbability(SpikeProbability)) { yield return $"SpikeProbability {SpikeProbability} is not from 0 to 1"; }
        if (!IsProbability(FailureProbability)) { yield return $"FailureProbability {FailureProbability} is not from 0 to 1"; }
        if (!IsProbability(RejectProbability)) { yield return $"RejectProbability {RejectProbability} is not from 0 to 1"; }
        if (RejectNext is < 0 or > MaxRejectNext) { yield return $"RejectNext {RejectNext} is not from 0 to {MaxRejectNext}"; }
        if (PickupDelayMs is < 0 or > MaxMs) { yield return $"PickupDelayMs {PickupDelayMs} is not from 0 to {MaxMs}"; }
        if (RefundProcessingMs is < 0 or > MaxMs) { yield return $"RefundProcessingMs {RefundProcessingMs} is not from 0 to {MaxMs}"; }
        if (WebhookRetries is < 0 or > MaxWebhookRetries)
        {
            yield return $"WebhookRetries {WebhookRetries} is not from 0 to {MaxWebhookRetries}";
        }
        foreach (var (name, p) in new[]
        {
            (nameof(LostAnswerProbability), LostAnswerProbability), (nameof(RefundClosedProbability), RefundClosedProbability),
            (nameof(RefundAbnormalProbability), RefundAbnormalProbability),
            (nameof(WebhookDuplicateProbability), WebhookDuplicateProbability), (nameof(WebhookDropProbability), WebhookDropProbability),
        })
        {
            if (p is { } value && !IsProbability(value)) { yield return $"{name} {value} is not from 0 to 1"; }
        }
        if (!SharesFit) { yield return SharesError; }
    }

    public const string SharesError = "refundClosedProbability + refundAbnormalProbability is more than 1";

    /// <summary>CLOSED and ABNORMAL are shares of one draw; the rest is SUCCESS.</summary>
    [JsonIgnore]
    public bool SharesFit => (RefundClosedProbability ?? 0) + (RefundAbnormalProbability ?? 0) <= 1;

    public static bool IsProbability(double p) => p is >= 0 and <= 1;
}
