using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace OrderSystem.BuildingBlocks.Outbox;

public static class OutboxRegistration
{
    /// <summary>Registers a module's outbox table, the contract types it carries, and the relay that publishes it.</summary>
    public static IHostApplicationBuilder AddOutbox<TModule>(this IHostApplicationBuilder builder, string tableName, params Type[] messageTypes)
    {
        var outbox = new Outbox<TModule>(tableName);
        builder.Services.AddSingleton(outbox);
        builder.Services.AddSingleton<IOutboxTable>(outbox); // for the operator endpoints and retention
        builder.Services.TryAddSingleton<OutboxMessageTypes>();
        foreach (var type in messageTypes)
        {
            builder.Services.AddSingleton(new OutboxMessageType(type));
        }
        builder.Services.AddSingleton(new OutboxTableRegistration(tableName));
        builder.Services.AddHostedService<OutboxRelay<TModule>>();
        return builder;
    }

    /// <summary>Registers a module's inbox table, so retention can trim it.</summary>
    public static IHostApplicationBuilder AddInbox(this IHostApplicationBuilder builder, Inbox.InboxTable inbox)
    {
        builder.Services.AddSingleton(inbox);
        return builder;
    }
}

/// <summary>Lets module-independent code (the backlog gauges, readiness) find every outbox table.</summary>
internal sealed record OutboxTableRegistration(string Table);
