using System.Reflection;
using OrderSystem.BuildingBlocks.Modules;

namespace OrderSystem.Tests.Infrastructure;

/// <summary>
/// The modules' declarations, as the host's catalog holds them: every public static <see cref="ModuleDeclaration"/> of
/// the module assemblies the host references. Queues and tables come from there, never from a list written here.
/// </summary>
internal static class ModuleTopology
{
    public static readonly IReadOnlyList<ModuleDeclaration> Modules = typeof(Program).Assembly.GetReferencedAssemblies()
        .Where(a => a.Name!.StartsWith("OrderSystem.", StringComparison.Ordinal))
        .SelectMany(a => Assembly.Load(a).GetExportedTypes())
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
        .Where(f => f.FieldType == typeof(ModuleDeclaration))
        .Select(f => (ModuleDeclaration)f.GetValue(null)!)
        .ToList();

    public static readonly string[] Queues = [.. Modules.Select(m => m.Queue).OfType<string>()];

    /// <summary>Where the modules carrying out a fulfillment step write their completion events (read when Order runs elsewhere).</summary>
    public static readonly string[] CompletionOutboxTables =
        [.. Modules.Where(m => m.ReportedStep is not null).Select(m => m.Outbox?.Table).OfType<string>()];

    public static readonly string[] OutboxTables = [.. Modules.Select(m => m.Outbox?.Table).OfType<string>()];

    public static ModuleDeclaration Named(string name) => Modules.Single(m => m.Name == name);
}
