namespace OrderSystem.ThirdParties.Simulator.Control;

/// <summary>
/// The faults of one party. Serialised as the public control contract, in this order:
/// delayMs, spikeProbability, spikeMs, failureProbability, down, hang, rejectProbability.
/// </summary>
internal sealed record PartySettings
{
    public const int MaxMs = 600_000;

    public int DelayMs { get; init; }
    public double SpikeProbability { get; init; }
    public int SpikeMs { get; init; }
    public double FailureProbability { get; init; }
    public bool Down { get; init; }
    public bool Hang { get; init; }
    public double RejectProbability { get; init; }

    /// <summary>The same rules as a PUT, for the startup defaults.</summary>
    public IEnumerable<string> Errors()
    {
        if (DelayMs is < 0 or > MaxMs) { yield return $"DelayMs {DelayMs} is not from 0 to {MaxMs}"; }
        if (SpikeMs is < 0 or > MaxMs) { yield return $"SpikeMs {SpikeMs} is not from 0 to {MaxMs}"; }
        if (!IsProbability(SpikeProbability)) { yield return $"SpikeProbability {SpikeProbability} is not from 0 to 1"; }
        if (!IsProbability(FailureProbability)) { yield return $"FailureProbability {FailureProbability} is not from 0 to 1"; }
        if (!IsProbability(RejectProbability)) { yield return $"RejectProbability {RejectProbability} is not from 0 to 1"; }
    }

    public static bool IsProbability(double p) => p is >= 0 and <= 1;
}
