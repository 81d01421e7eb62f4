namespace OrderSystem.BuildingBlocks.Messaging.Yielding;

/// <summary>How the fulfilling modules' consumers give way to the payment path when they share its cores (section "Fulfillment").</summary>
public sealed class YieldOptions
{
    /// <summary>Off: the consumers always run at their full concurrency.</summary>
    public bool YieldUnderPressure { get; set; } = true;

    /// <summary>The payments' recent mean latency (ms) above which the process counts as under pressure.</summary>
    public double PressurePaymentMs { get; set; } = 40;

    /// <summary>The fewest messages a module keeps in hand under pressure, so that its lag stays bounded.</summary>
    public int MinConcurrency { get; set; } = 2;

    /// <summary>The rate of foreground requests (a flash sale's admissions) at which the process counts as taking a peak.</summary>
    public int PeakRequestsPerSecond { get; set; } = 500;

    /// <summary>How long after its sending a message waits during a peak (<see cref="ForegroundPeak"/>); 0 turns the hold off.</summary>
    public int PeakHoldMs { get; set; } = 10_000;
}
