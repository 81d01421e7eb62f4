namespace OrderSystem.ThirdParties.Simulator;

internal static class Health
{
    /// <summary>What GET /health names, so scripts/simulator.sh can tell this service from anything else on its port.</summary>
    public const string ServiceName = "OrderSystem.ThirdParties.Simulator";
}
