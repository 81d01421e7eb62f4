namespace OrderSystem.BuildingBlocks.Outbox;

/// <summary>
/// Maps the type name stored in an outbox row back to its contract type. The full name is the name on the wire,
/// so a contract must never move.
/// </summary>
internal sealed class OutboxMessageTypes(IEnumerable<OutboxMessageType> registered)
{
    private readonly Dictionary<string, Type> _byName =
        registered.Select(r => r.Type).Distinct().ToDictionary(NameOf, StringComparer.Ordinal);

    public Type Resolve(string name) =>
        _byName.TryGetValue(name, out var type) ? type : throw new InvalidOperationException($"Unknown outbox message type '{name}'.");

    public static string NameOf(Type type) => type.FullName!;
}

internal sealed record OutboxMessageType(Type Type);
