using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.BuildingBlocks.Outbox;

/// <summary>
/// Maps the type name stored in an outbox row back to the contract type a module declared for its outbox. The full
/// name is the name on the wire, so a contract must never move.
/// </summary>
internal sealed class OutboxMessageTypes(ModuleCatalog catalog)
{
    private readonly Dictionary<string, Type> _byName = catalog.All
        .SelectMany(m => m.Outbox?.Messages ?? []).Distinct().ToDictionary(NameOf, StringComparer.Ordinal);

    public Type Resolve(string name) =>
        _byName.TryGetValue(name, out var type) ? type : throw new InvalidOperationException($"Unknown outbox message type '{name}'.");

    public static string NameOf(Type type) => type.FullName!;
}
