using System.Reflection;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests;

/// <summary>A module may use the building blocks, its own contracts and other modules' contracts: never their internals.</summary>
public sealed class ModuleBoundaryTests
{
    // Every folder under Modules/ but the kernel: the declared modules, and Operations, which declares no tables.
    private static readonly string[] Modules = [.. Directory.GetDirectories(Path.Combine(TestSettings.RepoRoot, "Modules"))
        .Select(Path.GetFileName).OfType<string>().Where(name => name != "BuildingBlocks").Order()];

    [Test]
    public void Every_declared_module_has_its_folder()
    {
        Assert.That(ModuleTopology.Modules.Select(m => m.Name), Is.SubsetOf(Modules));
    }

    [TestCaseSource(nameof(Modules))]
    public void A_module_references_other_modules_only_through_their_contracts(string module)
    {
        var assembly = Assembly.Load($"OrderSystem.{module}");

        var internals = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => Modules.Any(other => name == $"OrderSystem.{other}") && name != assembly.GetName().Name);

        Assert.That(internals, Is.Empty);
    }

    [TestCaseSource(nameof(Modules))]
    public void A_contracts_project_depends_on_no_module(string module)
    {
        var references = Assembly.Load($"OrderSystem.{module}.Contracts").GetReferencedAssemblies().Select(a => a.Name!);

        Assert.That(references.Where(name => name.StartsWith("OrderSystem.", StringComparison.Ordinal)), Is.Empty);
    }
}
