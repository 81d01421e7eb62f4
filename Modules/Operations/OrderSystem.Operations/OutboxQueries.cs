using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Operations;

/// <summary>
/// The operator's statements on one module's outbox. The table name comes from the module's declaration, never from
/// a request, and is checked to be a plain identifier: it is the only thing spliced into the SQL text.
/// </summary>
internal sealed class OutboxQueries(ModuleStore module)
{
    private readonly string _table = SqlIdentifier.Require(module.Outbox.Table);

    public ModuleStore Module => module;

    /// <summary>How operators name the module in the outbox listing: its table prefix ("points").</summary>
    public string ModuleName => module.Declaration.TablePrefix.TrimEnd('_');

    // The pending index (dispatched_at, id) serves both states. Failed means parked (see OutboxRelay).
    public string List => $"""
        SELECT @Module AS Module, id AS Id, message_id AS MessageId, message_type AS MessageType, created_at AS CreatedAt,
               attempts AS Attempts, last_error AS LastError
        FROM {_table} WHERE dispatched_at IS NULL AND (attempts >= @MaxAttempts) = @Failed ORDER BY id LIMIT @Limit
        """;

    // Re-arms a parked (or failing) row: the relay claims it again as if new. message_id has no index (every payment
    // inserts here): a scan of a table retention keeps small.
    public string Reset => $"UPDATE {_table} SET attempts = 0, last_error = NULL WHERE message_id = @Id AND dispatched_at IS NULL";

    // Every parked row of the module at once, for an operator who fixed the cause of a whole group.
    public string ResetParked => $"UPDATE {_table} SET attempts = 0, last_error = NULL WHERE dispatched_at IS NULL AND attempts >= @MaxAttempts";

    // The backlog from the pending index (dispatched_at, id): rows not yet published, the oldest, and how many are parked.
    public string Backlog => $"""
        SELECT COUNT(*) AS Pending, MIN(created_at) AS Oldest, CAST(COALESCE(SUM(attempts >= @MaxAttempts), 0) AS SIGNED) AS Parked
        FROM {_table} WHERE dispatched_at IS NULL
        """;

    public string Exists => $"SELECT COUNT(*) FROM {_table} WHERE message_id = @Id";

    public string DeleteDispatched => $"DELETE FROM {_table} WHERE dispatched_at < @Cutoff ORDER BY dispatched_at LIMIT @Batch";

    public static IEnumerable<OutboxQueries> Of(IEnumerable<ModuleStore> modules) =>
        modules.Where(m => m.HasOutbox).Select(m => new OutboxQueries(m));
}
