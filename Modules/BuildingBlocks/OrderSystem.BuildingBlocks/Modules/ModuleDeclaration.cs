namespace OrderSystem.BuildingBlocks.Modules;

/// <summary>
/// A module's layout, written once in its <c>&lt;Name&gt;Module.cs</c>: the plumbing (queues, relays, inbox, dead
/// letters, retention, reconciliation, the tests) reads it instead of repeating names.
/// </summary>
public sealed record ModuleDeclaration
{
    public ModuleDeclaration(string name)
    {
        if (string.IsNullOrEmpty(name) || !name.All(char.IsAsciiLetter))
        {
            throw new ArgumentException($"A module name is ASCII letters only, not '{name}'.", nameof(name));
        }
        Name = name;
    }

    /// <summary>As in <c>Modules:Enabled</c> and <c>ConnectionStrings:&lt;Name&gt;</c>.</summary>
    public string Name { get; }

    /// <summary>Every table of the module starts with this (lower-case name and an underscore).</summary>
    public string TablePrefix => Name.ToLowerInvariant() + "_";

    /// <summary>The module's own RabbitMQ queue (its error queue is this plus <c>_error</c>); null when it consumes nothing.</summary>
    public string? Queue { get; init; }

    /// <summary>The outbox table and the contract types its relay publishes; null when the module publishes nothing.</summary>
    public OutboxDeclaration? Outbox { get; init; }

    /// <summary>The table recording the messages the module has handled; null when it needs none.</summary>
    public string? Inbox { get; init; }

    /// <summary>The table holding one effect row per order (checked for duplicates by reconciliation); null when none.</summary>
    public string? EffectTable { get; init; }

    /// <summary>The step of an order's fulfillment this module carries out (as Order's view names it); null when none.</summary>
    public string? ReportedStep { get; init; }

    /// <summary>The configuration key of the module's database; <c>ConnectionStrings:OrderSystem</c> when it is not set.</summary>
    public string ConnectionName => Name;

    /// <summary>The tables this declaration names, each checked to carry the module's prefix.</summary>
    public IEnumerable<string> Tables => new[] { Outbox?.Table, Inbox, EffectTable }.OfType<string>();

    internal void Validate()
    {
        foreach (var table in Tables)
        {
            if (!table.StartsWith(TablePrefix, StringComparison.Ordinal) || !table.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                throw new InvalidOperationException($"Module {Name} declares the table '{table}': a module's tables start with '{TablePrefix}'.");
            }
        }
    }
}

/// <summary>A module's outbox table and the contract types written to it (the full type name is the name on the wire).</summary>
public sealed record OutboxDeclaration(string Table, params Type[] Messages);
