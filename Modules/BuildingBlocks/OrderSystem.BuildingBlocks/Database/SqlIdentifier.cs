using System.Text.RegularExpressions;

namespace OrderSystem.BuildingBlocks.Database;

/// <summary>
/// Table names for the shared outbox and inbox code are compile-time constants of each module, never input.
/// They are still checked, because they are the only thing ever spliced into SQL text.
/// </summary>
public static partial class SqlIdentifier
{
    public static string Require(string name) =>
        SafeName().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a plain table name.", nameof(name));

    [GeneratedRegex(@"\A[a-z][a-z0-9_]{0,63}\z")] // \z, not $: $ also matches before a final newline
    private static partial Regex SafeName();
}
