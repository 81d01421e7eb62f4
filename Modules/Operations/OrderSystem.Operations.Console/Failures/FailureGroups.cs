using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Outbox;

namespace OrderSystem.Operations.Console.Failures;

/// <summary>
/// Failures grouped by cause, as ServicePulse groups them: the module, the exception type and the message's shape (its
/// ids, numbers and quoted values blanked out). Sources: the parked outbox rows (their last_error, "Type: message") and
/// the first messages of each error queue (MassTransit's MT-Fault-* headers).
/// </summary>
internal sealed partial class FailureGroups(IEnumerable<ModuleStore> modules, IOptions<OutboxOptions> outbox, DeadLetters deadLetters)
{
    internal sealed record Group(string Source, string Module, string ExceptionType, string Shape, IReadOnlyList<Member> Members);

    internal sealed record Member(Guid? MessageId, string? MessageType, DateTime? At, string? Error);

    internal sealed record Result(IReadOnlyList<Group> Parked, IReadOnlyList<Group> DeadLetters, string? BrokerProblem);

    public async Task<Result> ReadAsync(CancellationToken ct)
    {
        var parked = new List<(string Module, Member Row)>();
        foreach (var queries in OutboxQueries.Of(modules))
        {
            await using var connection = await queries.Module.Db.OpenAsync(ct);
            var rows = await connection.QueryAsync<(string Module, long Id, Guid MessageId, string MessageType, DateTime CreatedAt, int Attempts, string? LastError)>(
                new CommandDefinition(queries.List, new { Module = queries.ModuleName, Failed = true, outbox.Value.MaxAttempts, Limit = 500 },
                    cancellationToken: ct));
            parked.AddRange(rows.Select(r => (r.Module, new Member(r.MessageId, r.MessageType, r.CreatedAt, r.LastError))));
        }
        var letters = new List<(string Module, Member Row, string? Type)>();
        string? brokerProblem = null;
        try
        {
            foreach (var queue in await deadLetters.ListAsync(50, ct))
            {
                letters.AddRange(queue.Sample.Select(l => (queue.Module, new Member(l.MessageId, l.MessageType, null, l.Fault), l.FaultType)));
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            brokerProblem = $"{e.GetType().Name}: {e.Message}";
        }
        return new Result(
            [.. parked.GroupBy(p => (p.Module, Type: TypeOf(p.Row.Error), Shape: ShapeOf(MessageOf(p.Row.Error))))
                .Select(g => new Group("outbox", g.Key.Module, g.Key.Type, g.Key.Shape, [.. g.Select(p => p.Row)]))],
            [.. letters.GroupBy(l => (l.Module, Type: ShortType(l.Type), Shape: ShapeOf(l.Row.Error)))
                .Select(g => new Group("dead-letter", g.Key.Module, g.Key.Type, g.Key.Shape, [.. g.Select(l => l.Row)]))],
            brokerProblem);
    }

    private static string TypeOf(string? error) => error?.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon ? error[..colon] : "Unknown";

    private static string MessageOf(string? error) => error?.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon ? error[(colon + 1)..].Trim() : error ?? "";

    private static string ShortType(string? type) => type is null ? "Unknown" : type[(type.LastIndexOf('.') + 1)..];

    /// <summary>The message with what varies from one failure to the next blanked out.</summary>
    internal static string ShapeOf(string? message)
    {
        var shape = Guids().Replace(message ?? "", "{id}");
        shape = Quoted().Replace(shape, "'…'");
        shape = Numbers().Replace(shape, "{n}");
        return shape.Length > 200 ? shape[..200] + "…" : shape;
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guids();

    [GeneratedRegex("'[^']*'|\"[^\"]*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex Numbers();
}
