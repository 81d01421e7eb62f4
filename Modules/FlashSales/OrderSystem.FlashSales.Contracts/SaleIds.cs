using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace OrderSystem.FlashSales.Contracts;

/// <summary>What a flash sale's id looks like: chosen by the operator, part of the buyers' URLs and of the store's keys.</summary>
public static partial class SaleIds
{
    public const string Message = "A sale id is 1-64 characters of letters, digits, '-' or '_'.";

    public static bool IsValid([NotNullWhen(true)] string? saleId) => saleId is not null && Pattern().IsMatch(saleId);

    [GeneratedRegex(@"\A[A-Za-z0-9_\-]{1,64}\z")] // \z, not $: $ also matches before a final newline
    private static partial Regex Pattern();
}
