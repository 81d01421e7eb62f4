using System.Data.Common;
using MySqlConnector;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Inbox;

namespace OrderSystem.BuildingBlocks.Modules;

/// <summary>A module's database, outbox and inbox, as its declaration names them.</summary>
public class ModuleStore
{
    private readonly Outbox.Outbox? _outbox;
    private readonly InboxTable? _inbox;

    internal ModuleStore(ModuleDeclaration declaration, Db db)
    {
        Declaration = declaration;
        Db = db;
        _outbox = declaration.Outbox is { } outbox ? new Outbox.Outbox(outbox.Table) : null;
        _inbox = declaration.Inbox is { } inbox ? new InboxTable(inbox) : null;
    }

    public ModuleDeclaration Declaration { get; }

    /// <summary>The module's database (<c>ConnectionStrings:&lt;Name&gt;</c>, else the shared one).</summary>
    public Db Db { get; }

    public Outbox.Outbox Outbox => _outbox ?? throw new InvalidOperationException($"Module {Declaration.Name} declares no outbox.");

    public InboxTable Inbox => _inbox ?? throw new InvalidOperationException($"Module {Declaration.Name} declares no inbox.");

    public bool HasOutbox => _outbox is not null;

    public bool HasInbox => _inbox is not null;

    /// <summary>
    /// Handles a message once, in one transaction of this module's database: see <see cref="InboxTable.ApplyOnceAsync{TReport}"/>.
    /// </summary>
    public Task ApplyOnceAsync<TReport>(Guid messageId, string consumer, DateTime now, MySqlBatchCommand effect,
        TReport reportIfApplied, DbBatchCommand? inProcessReport) where TReport : class =>
        Inbox.ApplyOnceAsync(Db, Outbox, messageId, consumer, now, effect, reportIfApplied, inProcessReport);

    /// <summary>A cheap check before a slow third-party call; the transactional record stays the real guard.</summary>
    public Task<bool> HasSeenAsync(Guid messageId, string consumer, CancellationToken ct) =>
        Inbox.HasSeenAsync(Db, messageId, consumer, ct);

    /// <summary>
    /// The same check before a call whose third party dedupes it by its idempotency key: only a repeat
    /// (<paramref name="attempts"/> over 1: a retry or a redelivery) may find its message handled, so a first delivery
    /// costs no round trip; a duplicate arriving as a first delivery is absorbed by the key and the inbox (decision 0028).
    /// </summary>
    public async Task<bool> HandledBeforeAsync(Guid messageId, string consumer, int attempts, CancellationToken ct) =>
        attempts > 1 && await HasSeenAsync(messageId, consumer, ct);
}

/// <summary>The store of the module named by the marker type <typeparamref name="TModule"/>, as its code asks for it.</summary>
public sealed class ModuleStore<TModule>(ModuleDeclaration declaration, Db db) : ModuleStore(declaration, db);
