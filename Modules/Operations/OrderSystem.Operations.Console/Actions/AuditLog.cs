using Dapper;
using OrderSystem.BuildingBlocks.Database;

namespace OrderSystem.Operations.Console.Actions;

/// <summary>
/// operations_audit_log: every console action, written before it runs (Running) and finished with its result. The
/// action id comes from the confirmation form, so the same form sent twice finds its row and runs nothing again.
/// </summary>
internal sealed class AuditLog(Databases databases, TimeProvider clock)
{
    internal sealed record Entry(long Id, Guid ActionId, string Operator, string Action, string Target, string Result, string? Detail,
        DateTime At, DateTime? FinishedAt);

    private const string Columns = """
        id AS Id, action_id AS ActionId, operator AS Operator, action AS Action, target AS Target, result AS Result, detail AS Detail,
        at AS At, finished_at AS FinishedAt
        """;

    private const string BeginSql = """
        INSERT IGNORE INTO operations_audit_log (action_id, operator, action, target, result, at)
        VALUES (@ActionId, @Operator, @Action, @Target, 'Running', @At)
        """;

    private const string FinishSql = """
        UPDATE operations_audit_log SET result = @Result, detail = @Detail, finished_at = @At WHERE action_id = @ActionId
        """;

    internal const string FindSql = $"SELECT {Columns} FROM operations_audit_log WHERE action_id = @ActionId";

    internal const string LatestSql = $"SELECT {Columns} FROM operations_audit_log ORDER BY id DESC LIMIT @Limit";

    private BuildingBlocks.Database.Db Db => databases.For(OperationsModule.Declaration);

    /// <summary>True when this is the action's first press; false when its row exists already.</summary>
    public async Task<bool> BeginAsync(Guid actionId, string who, string action, string target, CancellationToken ct)
    {
        await using var connection = await Db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(BeginSql,
            new { ActionId = actionId, Operator = who, Action = action, Target = target, At = clock.UtcNowForDatabase() },
            cancellationToken: ct)) == 1;
    }

    public async Task FinishAsync(Guid actionId, string result, string? detail, CancellationToken ct)
    {
        await using var connection = await Db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(FinishSql,
            new { ActionId = actionId, Result = result, Detail = detail?[..Math.Min(detail.Length, 1000)], At = clock.UtcNowForDatabase() },
            cancellationToken: ct));
    }

    public async Task<Entry?> FindAsync(Guid actionId, CancellationToken ct)
    {
        await using var connection = await Db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Entry>(new CommandDefinition(FindSql, new { ActionId = actionId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<Entry>> LatestAsync(int limit, CancellationToken ct)
    {
        await using var connection = await Db.OpenAsync(ct);
        return (await connection.QueryAsync<Entry>(new CommandDefinition(LatestSql, new { Limit = limit }, cancellationToken: ct))).AsList();
    }
}
