namespace OrderSystem.BuildingBlocks.Outbox;

/// <summary>Any module's outbox, seen by the plumbing that serves all of them: operator endpoints and retention.</summary>
internal interface IOutboxTable
{
    string Table { get; }

    /// <summary>The module's table prefix, which is how operators name the module.</summary>
    string Module => Table[..Table.IndexOf('_')];

    OutboxSignal Signal { get; }
}
