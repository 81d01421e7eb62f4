using System.Runtime.CompilerServices;
using System.Data.Common;
using MySqlConnector;

namespace OrderSystem.BuildingBlocks.Database;

/// <summary>
/// Group commit for small transactions of one kind, such as a consumer's inbox record and effect: units that callers
/// hand in while a transaction is in flight wait for it to end and then go together, in one transaction and one round
/// trip. A lone unit goes at once, so a quiet system pays no wait; a busy one pays one commit per group instead of one
/// per message. Each caller still gets its own outcome: when a group fails on a statement, its units are tried again
/// one by one, so only the unit at fault sees the failure (and its message is retried or dead-lettered alone); when it
/// fails on an outage (<see cref="DatabaseOutage"/>), every unit gets the outage at once.
/// Units group by database server connection (the data source), so the modules that share a database share its
/// transactions through <see cref="For"/>: a payment's four steps arrive together and commit together.
/// One writer commits while it keeps up; when units pile up behind its transaction, more writers (up to
/// <c>maxWriters</c>) commit side by side, so a slow or blocked transaction no longer holds up every consumer of the
/// database, and the database's commits are no longer limited to what one of its threads can do (finding 21 of
/// docs/performance.md).
/// </summary>
public sealed class GroupCommit(int maxUnits = 64, int maxWriters = 4)
{
    private static readonly ConditionalWeakTable<DbDataSource, GroupCommit> ByDataSource = [];

    // Units waiting per running writer before another one starts: below it, they wait for the next group instead.
    private const int UnitsPerExtraWriter = 8;

    private readonly Lock _gate = new();
    private List<Unit> _waiting = [];
    private int _writers;

    /// <summary>The group commit every writer to this database's data source shares (one pool per connection string).</summary>
    public static GroupCommit For(Db db) => ByDataSource.GetValue(db.DataSource, _ => new GroupCommit());

    /// <summary>
    /// Commits <paramref name="commands"/> (no START or COMMIT of their own) in a transaction, alone or with others'.
    /// Completes when they are committed; throws what committing them alone threw.
    /// </summary>
    public Task RunAsync(Db db, params MySqlBatchCommand[] commands)
    {
        var unit = new Unit(db, commands);
        lock (_gate)
        {
            _waiting.Add(unit);
            if (_writers > 0 && (_writers >= maxWriters || _waiting.Count < UnitsPerExtraWriter * _writers))
            {
                return unit.Done.Task;
            }
            _writers++;
        }
        // The writer serves many callers: it must not run inside this caller's trace (its statements would show up
        // as this one order's) nor hold on to anything else of its context.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(WriteWhileWaitingAsync);
        }
        return unit.Done.Task;
    }

    private async Task WriteWhileWaitingAsync()
    {
        while (TakeGroup() is { } group)
        {
            await WriteAsync(group);
        }
    }

    /// <summary>The next group (units of one data source, at most maxUnits), or null once nobody waits (the writer ends).</summary>
    private List<Unit>? TakeGroup()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _writers--;
                return null;
            }
            var dataSource = _waiting[0].Db.DataSource;
            var group = new List<Unit>(Math.Min(_waiting.Count, maxUnits));
            var rest = new List<Unit>();
            foreach (var unit in _waiting)
            {
                (group.Count < maxUnits && ReferenceEquals(unit.Db.DataSource, dataSource) ? group : rest).Add(unit);
            }
            _waiting = rest;
            return group;
        }
    }

    private static async Task WriteAsync(List<Unit> group)
    {
        if (group.Count == 1)
        {
            await WriteAloneAsync(group[0]);
            return;
        }
        try
        {
            await CommitAsync(group[0].Db, group.SelectMany(u => u.Commands));
            foreach (var unit in group)
            {
                unit.Done.TrySetResult();
            }
        }
        catch (Exception e) when (DatabaseOutage.Is(e))
        {
            // Down, unreachable or deadlocked: nobody's fault, and trying each unit alone would only wait out one
            // connect timeout per unit. Every caller gets the outage, and its consumer's outage retry tries again.
            foreach (var unit in group)
            {
                unit.Done.TrySetException(e);
            }
        }
        catch (Exception)
        {
            // One unit may be at fault: each goes alone, with its own outcome.
            foreach (var unit in group)
            {
                await WriteAloneAsync(unit);
            }
        }
    }

    private static async Task WriteAloneAsync(Unit unit)
    {
        try
        {
            await CommitAsync(unit.Db, unit.Commands);
            unit.Done.TrySetResult();
        }
        catch (Exception e)
        {
            unit.Done.TrySetException(e);
        }
    }

    private static async Task CommitAsync(Db db, IEnumerable<MySqlBatchCommand> commands)
    {
        // The write is shared, so no one caller's cancellation may cut it short; the command timeout bounds it.
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await using var batch = new MySqlBatch(connection);
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }
        if (batch.BatchCommands.Count == 1)
        {
            await batch.ExecuteNonQueryAsync(CancellationToken.None); // one statement commits on its own (autocommit)
            return;
        }
        batch.BatchCommands.Insert(0, InlineTransaction.Start());
        await InlineTransaction.ExecuteAndCommitAsync(batch, CancellationToken.None);
    }

    private sealed record Unit(Db Db, MySqlBatchCommand[] Commands)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
