namespace OrderSystem.ThirdParties.Simulator;

/// <summary>The simulated third parties, by the name they have in every route.</summary>
internal static class Party
{
    public const string Sms = "sms";
    public const string Logistics = "logistics";
    public const string Payments = "payments";

    public static readonly IReadOnlyList<string> All = [Sms, Logistics, Payments];
}
