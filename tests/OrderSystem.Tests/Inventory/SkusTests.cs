using OrderSystem.Inventory.Contracts;

namespace OrderSystem.Tests.Inventory;

/// <summary>The SKU rule, which Inventory applies to its products and Order to the lines of a new order.</summary>
public sealed class SkusTests
{
    [TestCase("SKU-0001")]
    [TestCase("a")]
    [TestCase("A.b_c-9")]
    public void Letters_digits_dots_underscores_and_dashes_make_a_SKU(string sku) =>
        Assert.That(Skus.IsValid(sku), Is.True);

    [TestCase(null)]
    [TestCase("")]
    [TestCase(" SKU-1")]
    [TestCase("SKU 1")]
    [TestCase("SKU/1")]
    [TestCase("x' OR '1'='1")]
    [TestCase("SKÜ-1")]
    [TestCase("SKU-１")]
    [TestCase("SKU-1\n")] // a final newline: the pattern ends in \z, not $
    public void Anything_else_is_not_a_SKU(string? sku) =>
        Assert.That(Skus.IsValid(sku), Is.False);

    [Test]
    public void A_SKU_is_at_most_64_characters()
    {
        Assert.That(Skus.IsValid(new string('A', 64)), Is.True);
        Assert.That(Skus.IsValid(new string('A', 65)), Is.False);
    }
}
