using System.Net;
using OrderSystem.FlashSales;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.FlashSales;

/// <summary>Hostile input on the flash sale routes: 4xx problem+json, the database byte-for-byte unchanged, the store's counters too.</summary>
public sealed class FlashSaleHostileInputTests : FlashSaleTest
{
    public sealed record Case(string Name, HttpStatusCode Expected, Func<string, Task<Reply>> Send)
    {
        public override string ToString() => Name;
    }

    private static IEnumerable<Case> Cases()
    {
        (string, string) key = ("X-Api-Key", TestSettings.AdminKey);
        const string Sale = "hostile";
        Task<Reply> Post(string path, string body) => Api.SendRawAsync(HttpMethod.Post, path, body);
        Task<Reply> Put(string saleId, string body, params (string, string)[] headers) =>
            Api.SendRawAsync(HttpMethod.Put, $"/api/admin/flash-sales/{saleId}", body, headers);
        var orders = $"/api/flash-sales/{Sale}/orders";
        foreach (var (name, body) in new[]
        {
            ("empty user id", """{"userId":"","quantity":1}"""),
            ("user id of 65 characters", $$"""{"userId":"{{new string('u', 65)}}","quantity":1}"""),
            ("user id with a control character", """{"userId":"a\u0000b","quantity":1}"""),
            ("user id with surrounding spaces", """{"userId":" u ","quantity":1}"""),
            ("quantity 0", """{"userId":"u","quantity":0}"""),
            ("quantity -1", """{"userId":"u","quantity":-1}"""),
            ("quantity 1000", """{"userId":"u","quantity":1000}"""),
            ("quantity as a string", """{"userId":"u","quantity":"1"}"""),
            ("quantity 1.5", """{"userId":"u","quantity":1.5}"""),
            ("quantity beyond int", """{"userId":"u","quantity":99999999999}"""),
            ("no quantity", """{"userId":"u"}"""),
            ("unknown field", """{"userId":"u","quantity":1,"price":0.01}"""),
            ("malformed JSON", """{"userId":"""),
            ("JSON array", "[]"),
            ("JSON null", "null"),
        })
        {
            yield return new($"order: {name}", HttpStatusCode.BadRequest, _ => Post(orders, body));
        }
        yield return new("order: sale id with a quote", HttpStatusCode.BadRequest, _ => Post("/api/flash-sales/x'--/orders", """{"userId":"u","quantity":1}"""));
        yield return new("order: sale id of 65 characters", HttpStatusCode.BadRequest,
            _ => Post($"/api/flash-sales/{new string('s', 65)}/orders", """{"userId":"u","quantity":1}"""));
        yield return new("order: unknown sale", HttpStatusCode.NotFound, _ => Post("/api/flash-sales/nope/orders", """{"userId":"u","quantity":1}"""));
        yield return new("order: not JSON", HttpStatusCode.UnsupportedMediaType, _ => SendText(orders));
        yield return new("order: body over 64 KiB", HttpStatusCode.RequestEntityTooLarge,
            _ => Post(orders, $$"""{"userId":"{{new string('u', 70_000)}}","quantity":1}"""));
        yield return new("ticket: not a GUID", HttpStatusCode.BadRequest, _ => Api.GetAsync($"/api/flash-sales/{Sale}/tickets/1%20OR%201=1"));
        yield return new("ticket: unknown", HttpStatusCode.NotFound, _ => Api.GetAsync($"/api/flash-sales/{Sale}/tickets/{Guid.NewGuid()}"));
        yield return new("ticket: of another sale", HttpStatusCode.NotFound, ticket => Api.GetAsync($"/api/flash-sales/other/tickets/{ticket}"));
        yield return new("sale: malformed id", HttpStatusCode.BadRequest, _ => Api.GetAsync("/api/flash-sales/a%2Fb%3F"));
        yield return new("sale: unknown", HttpStatusCode.NotFound, _ => Api.GetAsync("/api/flash-sales/unknown-sale"));
        var valid = $$"""{"sku":"SKU-X","units":1,"price":1.00,"startsAt":"{{DateTime.UtcNow.AddMinutes(-1):O}}","endsAt":"{{DateTime.UtcNow.AddHours(1):O}}","perUserLimit":1}""";
        yield return new("define: without the admin key", HttpStatusCode.Unauthorized, _ => Put("new-sale", valid));
        yield return new("define: a wrong admin key", HttpStatusCode.Unauthorized, _ => Put("new-sale", valid, ("X-Api-Key", "guess")));
        yield return new("define: unknown product", HttpStatusCode.NotFound, _ => Put("new-sale", valid, key));
        foreach (var (name, field, value) in new[]
        {
            ("units 0", "\"units\":1", "\"units\":0"),
            ("units over a million", "\"units\":1", "\"units\":1000001"),
            ("price 0", "\"price\":1.00", "\"price\":0"),
            ("price with 3 decimals", "\"price\":1.00", "\"price\":1.001"),
            ("limit 0", "\"perUserLimit\":1", "\"perUserLimit\":0"),
            ("bad SKU", "\"sku\":\"SKU-X\"", "\"sku\":\"SKU X;\""),
            ("a date that is not one", "\"startsAt\":\"", "\"startsAt\":\"yesterday"),
        })
        {
            yield return new($"define: {name}", HttpStatusCode.BadRequest, _ => Put("new-sale", valid.Replace(field, value, StringComparison.Ordinal), key));
        }
        yield return new("define: ends before it starts", HttpStatusCode.BadRequest, _ => Put("new-sale",
            $$"""{"sku":"SKU-X","units":1,"price":1.00,"startsAt":"{{DateTime.UtcNow.AddHours(2):O}}","endsAt":"{{DateTime.UtcNow.AddHours(1):O}}","perUserLimit":1}""", key));
        yield return new("define: already ended", HttpStatusCode.BadRequest, _ => Put("new-sale",
            $$"""{"sku":"SKU-X","units":1,"price":1.00,"startsAt":"{{DateTime.UtcNow.AddHours(-2):O}}","endsAt":"{{DateTime.UtcNow.AddHours(-1):O}}","perUserLimit":1}""", key));
        yield return new("define: a bad sale id", HttpStatusCode.BadRequest, _ => Put("a.b", valid, key));
        yield return new("define: no body", HttpStatusCode.BadRequest, _ => Put("new-sale", "{}", key));
    }

    private static async Task<Reply> SendText(string path)
    {
        using var response = await Api.Http.PostAsync(path, new StringContent("userId=u&quantity=1"));
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, null, await response.Content.ReadAsStringAsync());
    }

    // Each case proves it changed nothing, so the next one may use the same sale and ticket; after a failing case they
    // are set up anew.
    private string? _ticket;

    protected override bool ResetsBeforeEachTest => false;

    [TestCaseSource(nameof(Cases))]
    public async Task Is_refused_with_problem_json_and_changes_nothing(Case hostile)
    {
        var ticket = _ticket ?? await NewSaleWithATicketAsync();
        _ticket = null; // until this case has shown that it changed nothing
        var store = System.Get<SaleStore>();
        var countersBefore = await store.ReadAsync("hostile");
        var before = await SystemTest.SettledChecksumAsync();

        var reply = await hostile.Send(ticket);

        Assert.That((reply.Status, reply.MediaType), Is.EqualTo((hostile.Expected, "application/problem+json")), reply.ToString());
        if (reply.Status != HttpStatusCode.UnsupportedMediaType) // refused by routing before the handler, as for every JSON route
        {
            Assert.That(reply.Json["type"]!.GetValue<string>(), Does.StartWith("https://ordersystem.dev/problems/"));
        }
        await using (var connection = await System.OpenAsync())
        {
            Assert.That(await DatabaseChecksum.OfAsync(connection), Is.EqualTo(before), "the database is unchanged");
        }
        Assert.That(await store.ReadAsync("hostile"), Is.EqualTo(countersBefore), "the store's counters are unchanged");
        _ticket = ticket;
    }

    private static async Task<string> NewSaleWithATicketAsync()
    {
        await ResetStoreAndDatabaseAsync();
        var sku = await NewProductAsync(available: 10);
        await Api.DefineAsync("hostile", sku, units: 5);
        var ticket = FlashSaleApi.TicketOf(await Api.RequestAsync("hostile", "honest"));
        await Api.WaitUntilWrittenAsync("hostile", [ticket]);
        return ticket;
    }
}
