using MySqlConnector;
using OrderSystem.Inventory.Contracts;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Inventory;

/// <summary>Inventory's stock rule, through the port Order deducts with (<see cref="IStock"/>): stock never goes below zero.</summary>
public sealed class StockTests : SystemTest
{
    [Test]
    public async Task A_deduction_larger_than_the_stock_changes_nothing()
    {
        var sku = await NewProductAsync(available: 3);

        var changed = await DeductAsync(sku, 4);

        Assert.That(changed, Is.Zero, "rows changed");
        Assert.That(await StockOfAsync(sku), Is.EqualTo((Available: 3, Deducted: 0L)));
    }

    [Test]
    public async Task Stock_is_deducted_down_to_zero_and_no_further()
    {
        var sku = await NewProductAsync(available: 5);

        var changed = new[] { await DeductAsync(sku, 2), await DeductAsync(sku, 3), await DeductAsync(sku, 1) };

        Assert.That(changed, Is.EqualTo(new[] { 1, 1, 0 }), "rows changed by each deduction");
        Assert.That(await StockOfAsync(sku), Is.EqualTo((Available: 0, Deducted: 5L)));
    }

    [Test]
    public async Task Concurrent_deductions_never_take_more_than_the_stock()
    {
        var sku = await NewProductAsync(available: 7);

        var changed = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => DeductAsync(sku, 1)));

        Assert.That(changed.Sum(), Is.EqualTo(7), "deductions applied");
        Assert.That(await StockOfAsync(sku), Is.EqualTo((Available: 0, Deducted: 7L)));
    }

    /// <summary>Runs the commands Order puts in its payment batch for one line, on their own; returns the rows they changed.</summary>
    private static async Task<int> DeductAsync(string sku, int quantity)
    {
        await using var connection = await System.OpenAsync();
        await using var batch = new MySqlBatch(connection);
        foreach (var command in System.Get<IStock>().CreateDeductCommands([new StockLine(sku, quantity)]))
        {
            batch.BatchCommands.Add((MySqlBatchCommand)command);
        }
        return await batch.ExecuteNonQueryAsync();
    }

    /// <summary>The stock as Inventory's API shows it, and the total deducted that reconciliation checks.</summary>
    private static async Task<(int Available, long Deducted)> StockOfAsync(string sku) =>
        ((await Api.GetAsync($"/api/inventory/{sku}")).Json["available"]!.GetValue<int>(),
            await CountAsync("SELECT deducted FROM inventory_products WHERE sku = @sku", new { sku }));
}
