using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.BuildingBlocks.Outbox;
using OrderSystem.Order.Contracts;
using OrderSystem.Refunds.Contracts;

namespace OrderSystem.Operations.Console.Actions;

/// <summary>
/// The repairs an operator confirms in the console. Each is recorded in the audit log before it runs, runs at most once
/// per confirmation (the action id), and is harmless when repeated with a new confirmation: a re-armed row, a replayed
/// letter, a closed order or a settled refund is simply found so.
/// </summary>
internal sealed class ConsoleActions(
    AuditLog audit, IEnumerable<ModuleStore> modules, IOptions<OutboxOptions> outbox, DeadLetters deadLetters, IServiceProvider services)
{
    internal sealed record Kind(string Name, string Question, bool NeedsNote);

    public static readonly IReadOnlyDictionary<string, Kind> Kinds = new Kind[]
    {
        new("retry-outbox", "Re-arm the parked outbox message {0} so that its relay publishes it again?", false),
        new("retry-module", "Re-arm every parked outbox message of the module {0}?", false),
        new("replay-dead-letters", "Move every message of {0}'s error queue back to its queue?", false),
        new("replay-dead-letter", "Move the dead letter {0} (module/message id) back to its queue?", false),
        new("close-order", "Close the unpaid order {0} now, before its payment window ends?", true),
        new("reissue-refund", "Reissue the Closed refund {0} under a new refund id?", false),
        new("resolve-refund", "Mark the refund {0} as settled outside the system?", true),
    }.ToDictionary(k => k.Name);

    internal sealed record Outcome(string Result, string Detail, bool Repeated);

    public async Task<Outcome> RunAsync(Guid actionId, string who, string kind, string target, string? note, CancellationToken ct)
    {
        if (!await audit.BeginAsync(actionId, who, kind, target, ct))
        {
            var earlier = await audit.FindAsync(actionId, ct);
            return new Outcome(earlier!.Result, "Already confirmed; nothing was run again. " + earlier.Detail, Repeated: true);
        }
        (string Result, string Detail) done;
        try
        {
            done = await ExecuteAsync(kind, target, note, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            done = ("Failed", $"{e.GetType().Name}: {e.Message}");
        }
        await audit.FinishAsync(actionId, done.Result, done.Detail, CancellationToken.None);
        return new Outcome(done.Result, done.Detail, Repeated: false);
    }

    private async Task<(string Result, string Detail)> ExecuteAsync(string kind, string target, string? note, CancellationToken ct) => kind switch
    {
        "retry-outbox" => await RetryOutboxAsync(target, ct),
        "retry-module" => await RetryModuleAsync(target, ct),
        "replay-dead-letters" => deadLetters.Modules.Contains(target)
            ? ("Done", $"{await deadLetters.ReplayAsync(target, 10_000, ct)} messages moved back to the queue.")
            : ("NotFound", $"No module '{target}' with a queue runs here."),
        "replay-dead-letter" => await ReplayOneAsync(target, ct),
        "close-order" => await CloseOrderAsync(target, note, ct),
        "reissue-refund" => await RefundAsync(target, (refunds, id) => refunds.ReissueAsync(id, ct)),
        "resolve-refund" => await RefundAsync(target, (refunds, id) => refunds.ResolveAsync(id, note ?? "", ct)),
        _ => ("Refused", $"Unknown action '{kind}'."),
    };

    private async Task<(string, string)> RetryOutboxAsync(string target, CancellationToken ct)
    {
        if (!Guid.TryParseExact(target, "D", out var id))
        {
            return ("Refused", "The message id must be a GUID.");
        }
        foreach (var queries in OutboxQueries.Of(modules))
        {
            await using var connection = await queries.Module.Db.OpenAsync(ct);
            if (await connection.ExecuteAsync(new CommandDefinition(queries.Reset, new { Id = id }, cancellationToken: ct)) > 0)
            {
                queries.Module.Outbox.NotifyCommitted();
                return ("Done", $"Re-armed in {queries.ModuleName}'s outbox; its relay publishes it now.");
            }
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(queries.Exists, new { Id = id }, cancellationToken: ct)) > 0)
            {
                return ("AlreadyDone", "The broker has confirmed this message already: nothing to retry.");
            }
        }
        return ("NotFound", "No outbox here holds that message.");
    }

    private async Task<(string, string)> RetryModuleAsync(string target, CancellationToken ct)
    {
        if (OutboxQueries.Of(modules).FirstOrDefault(q => q.ModuleName == target) is not { } queries)
        {
            return ("NotFound", $"No module '{target}' with an outbox runs here.");
        }
        await using var connection = await queries.Module.Db.OpenAsync(ct);
        var rearmed = await connection.ExecuteAsync(new CommandDefinition(queries.ResetParked, new { outbox.Value.MaxAttempts }, cancellationToken: ct));
        queries.Module.Outbox.NotifyCommitted();
        return rearmed > 0 ? ("Done", $"{rearmed} parked messages re-armed.") : ("AlreadyDone", "No parked message left to re-arm.");
    }

    private async Task<(string, string)> ReplayOneAsync(string target, CancellationToken ct)
    {
        var parts = target.Split('/');
        if (parts.Length != 2 || !Guid.TryParseExact(parts[1], "D", out var id))
        {
            return ("Refused", "The target is module/message id, the id a GUID.");
        }
        if (!deadLetters.Modules.Contains(parts[0]))
        {
            return ("NotFound", $"No module '{parts[0]}' with a queue runs here.");
        }
        return await deadLetters.ReplayOneAsync(parts[0], id, DeadLetterEndpoints.ScanLimit, ct)
            ? ("Done", "1 message moved back to the queue.")
            : ("NotFound", "Not in the error queue: replayed already, or never there.");
    }

    private async Task<(string, string)> CloseOrderAsync(string target, string? reason, CancellationToken ct)
    {
        if (services.GetService<IOrderOperations>() is not { } orders)
        {
            return ("Refused", "Order does not run in this process.");
        }
        if (!Guid.TryParseExact(target, "D", out var id))
        {
            return ("Refused", "The order id must be a GUID.");
        }
        var text = string.IsNullOrWhiteSpace(reason) ? "Closed early by an operator" : reason.Trim();
        return await orders.CloseUnpaidAsync(id, text[..Math.Min(text.Length, 200)], ct) switch
        {
            CloseOutcome.Closed => ("Done", "The order is closed."),
            CloseOutcome.AlreadyClosed => ("AlreadyDone", "The order was closed already."),
            CloseOutcome.NotFound => ("NotFound", "No such order."),
            _ => ("Refused", "The order is not unpaid (paid, expired or cancelled): closing it early does not apply."),
        };
    }

    private async Task<(string, string)> RefundAsync(string target, Func<IRefundOperations, Guid, Task<RefundActionResult>> action)
    {
        if (services.GetService<IRefundOperations>() is not { } refunds)
        {
            return ("Refused", "Refunds does not run in this process.");
        }
        if (!Guid.TryParseExact(target, "D", out var id))
        {
            return ("Refused", "The refund id must be a GUID.");
        }
        var result = await action(refunds, id);
        return (result.Outcome, result.Detail);
    }
}
