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
}
