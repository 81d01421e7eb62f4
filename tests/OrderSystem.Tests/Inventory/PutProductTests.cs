using System.Net;
using System.Text.Json;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Inventory;

/// <summary>PUT /api/admin/inventory/{sku}: an operator creates a product or resets it; anything invalid stores nothing.</summary>
public sealed class PutProductTests : SystemTest
{
    private static readonly (string, string) AdminKey = ("X-Api-Key", TestSettings.AdminKey);

    [Test]
    public async Task Putting_a_product_creates_it_and_putting_it_again_resets_its_name_price_and_stock()
    {
        var sku = Fresh("SKU");

        var created = await PutAsync(sku, new { name = "  Kettle  ", price = 19.90m, available = 5 }, AdminKey);
        var reset = await PutAsync(sku, new { name = "Kettle 2", price = 21m, available = 0 }, AdminKey);

        Assert.That(created.Status, Is.EqualTo(HttpStatusCode.OK), created.ToString());
        Assert.That(created.Json["name"]!.GetValue<string>(), Is.EqualTo("Kettle"), "the name is trimmed");
        Assert.That(reset.Status, Is.EqualTo(HttpStatusCode.OK), reset.ToString());
        var product = (await Api.GetAsync($"/api/inventory/{sku}")).Json;
        Assert.That((product["name"]!.GetValue<string>(), product["price"]!.GetValue<decimal>(), product["available"]!.GetValue<int>()),
            Is.EqualTo(("Kettle 2", 21m, 0)));
    }

    [TestCase(0.01, 0)]
    [TestCase(1_000_000, 1_000_000_000)]
    public async Task Prices_and_stock_at_their_limits_are_accepted(decimal price, int available)
    {
        var reply = await PutAsync(Fresh("SKU"), new { name = "n", price, available }, AdminKey);

        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.OK), reply.ToString());
    }

    [Test]
    public async Task A_SKU_of_64_characters_and_a_name_of_200_are_accepted()
    {
        var reply = await PutAsync(new string('S', 64), new { name = new string('n', 200), price = 1m, available = 1 }, AdminKey);

        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.OK), reply.ToString());
    }

    [TestCaseSource(nameof(InvalidProducts))]
    public async Task An_invalid_product_is_refused_with_the_field_at_fault_and_nothing_is_stored(string sku, string body, string field)
    {
        var reply = await Api.SendRawAsync(HttpMethod.Put, $"/api/admin/inventory/{sku}", body, AdminKey);

        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.BadRequest), reply.ToString());
        Assert.That(reply.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(reply.Json["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), reply.Body);
        Assert.That(await CountAsync("SELECT COUNT(*) FROM inventory_products"), Is.Zero);
    }

    [TestCase(null)]
    [TestCase("not-the-admin-key")]
    public async Task Without_the_admin_key_no_product_is_stored(string? key)
    {
        (string, string)[] headers = key is null ? [] : [("X-Api-Key", key)];

        var reply = await PutAsync(Fresh("SKU"), new { name = "n", price = 1m, available = 1 }, headers);

        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.Unauthorized), reply.ToString());
        Assert.That(await CountAsync("SELECT COUNT(*) FROM inventory_products"), Is.Zero);
    }

    private static IEnumerable<TestCaseData> InvalidProducts()
    {
        static TestCaseData Case(string why, string field, object body, string sku = "SKU-1") =>
            new TestCaseData(sku, JsonSerializer.Serialize(body), field).SetArgDisplayNames(why);

        var valid = new { name = "n", price = 1m, available = 1 };
        yield return Case("no name", "name", new { valid.price, valid.available });
        yield return Case("blank name", "name", valid with { name = "   " });
        yield return Case("name of 201 characters", "name", valid with { name = new string('n', 201) });
        yield return Case("no price", "price", new { valid.name, valid.available });
        yield return Case("price 0", "price", valid with { price = 0m });
        yield return Case("negative price", "price", valid with { price = -1m });
        yield return Case("price above 1000000", "price", valid with { price = 1_000_000.01m });
        yield return Case("price with 3 decimals", "price", valid with { price = 1.005m });
        yield return Case("no stock", "available", new { valid.name, valid.price });
        yield return Case("negative stock", "available", valid with { available = -1 });
        yield return Case("stock above 1000000000", "available", valid with { available = 1_000_000_001 });
        yield return Case("space in SKU", "sku", valid, sku: "SKU%201");
        yield return Case("accented SKU", "sku", valid, sku: "SK%C3%9C-1");
        yield return Case("SKU of 65 characters", "sku", valid, sku: new string('S', 65));
    }

    private static Task<Reply> PutAsync(string sku, object body, params (string Name, string Value)[] headers) =>
        Api.SendAsync(HttpMethod.Put, $"/api/admin/inventory/{sku}", body, headers);
}
