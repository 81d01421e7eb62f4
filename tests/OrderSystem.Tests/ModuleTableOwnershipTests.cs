using System.Text.RegularExpressions;
using Dapper;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests;

/// <summary>
/// Every table carries its owning module's prefix, and no module's code or migrations name another module's tables:
/// what makes it safe to move a module into a process, or a database, of its own.
/// </summary>
public sealed class ModuleTableOwnershipTests
{
    private static readonly Dictionary<string, string> PrefixByModule =
        ModuleTopology.Modules.ToDictionary(m => m.Name, m => m.TablePrefix);

    [Test]
    public async Task Every_table_a_module_declares_exists()
    {
        var tables = await TablesAsync();

        Assert.That(ModuleTopology.Modules.SelectMany(m => m.Tables), Is.SubsetOf(tables));
    }

    [Test]
    public async Task Every_table_belongs_to_exactly_one_module_by_its_prefix()
    {
        var tables = await TablesAsync();

        var unowned = tables.Where(t => PrefixByModule.Values.Count(p => t.StartsWith(p, StringComparison.Ordinal)) != 1);

        Assert.That(unowned, Is.Empty);
    }

    [TestCaseSource(nameof(Modules))]
    public async Task A_module_names_no_other_modules_tables(string module)
    {
        var foreignTables = (await TablesAsync()).Where(t => !t.StartsWith(PrefixByModule[module], StringComparison.Ordinal)).ToList();
        var sources = Directory.EnumerateFiles(Path.Combine(TestSettings.RepoRoot, "Modules", module), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(TestSettings.RepoRoot, "Migrations", module), "*.cs"))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

        var trespasses = from path in sources
                         let text = File.ReadAllText(path)
                         from table in foreignTables
                         where Regex.IsMatch(text, $@"\b{table}\b")
                         select $"{Path.GetFileName(path)} names {table}";

        Assert.That(trespasses, Is.Empty);
    }

    private static IEnumerable<string> Modules() => PrefixByModule.Keys;

    private static async Task<List<string>> TablesAsync()
    {
        await using var connection = await GlobalSetup.System.OpenAsync();
        return (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'VersionInfo'")).AsList();
    }
}
