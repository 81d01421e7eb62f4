using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace OrderSystem.Inventory.Contracts;

/// <summary>What a SKU looks like: Inventory's rule, which Order applies to the lines of a new order too.</summary>
public static partial class Skus
{
    public const string Message = "A SKU is 1-64 characters of letters, digits, '-', '_' or '.'.";

    public static bool IsValid([NotNullWhen(true)] string? sku) => sku is not null && Pattern().IsMatch(sku);

    [GeneratedRegex(@"\A[A-Za-z0-9._\-]{1,64}\z")] // \z, not $: $ also matches before a final newline
    private static partial Regex Pattern();
}
