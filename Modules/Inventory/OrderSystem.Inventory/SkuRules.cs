using System.Text.RegularExpressions;

namespace OrderSystem.Inventory;

internal static partial class SkuRules
{
    public const string Message = "A SKU is 1-64 characters of letters, digits, '-', '_' or '.'.";

    public static bool IsValid(string? sku) => sku is not null && Pattern().IsMatch(sku);

    [GeneratedRegex(@"^[A-Za-z0-9._\-]{1,64}$")]
    private static partial Regex Pattern();
}
