namespace OrderSystem.Tests.Infrastructure;

/// <summary>The queues and outbox tables of the five modules that publish or consume, as the host creates them.</summary>
internal static class ModuleTopology
{
    public static readonly string[] Queues = ["order", "points", "marketing", "push", "warehouse"];

    /// <summary>Where the four consuming modules write their completion events (used when Order runs elsewhere).</summary>
    public static readonly string[] CompletionOutboxTables = ["points_outbox", "marketing_outbox", "push_outbox", "warehouse_outbox"];

    public static readonly string[] OutboxTables = ["order_outbox", .. CompletionOutboxTables];
}
