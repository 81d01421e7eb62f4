using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Order;

/// <summary>
/// The hostile-input corpus: broken, oversized, mistyped and malicious requests to every endpoint. Each one must get
/// a 4xx problem+json and leave every table byte-for-byte as it was (checked by the test in RejectedRequestTests).
/// </summary>
public sealed partial class RejectedRequestTests
{
    private const HttpStatusCode BadRequest = HttpStatusCode.BadRequest;

    private static IEnumerable<Case> HostileCases()
    {
        // Malformed and mistyped bodies for POST /api/orders.
        foreach (var (name, body) in new[]
        {
            ("empty body", ""),
            ("JSON null", "null"),
            ("JSON array", "[]"),
            ("JSON string", "\"order\""),
            ("trailing comma", "{\"userId\":\"u\",\"items\":[{\"sku\":\"S\",\"quantity\":1}],}"),
            ("comment in JSON", "{/* hi */\"userId\":\"u\",\"items\":[{\"sku\":\"S\",\"quantity\":1}]}"),
            ("single quotes", "{'userId':'u','items':[]}"),
            ("unknown field", "{\"userId\":\"u\",\"items\":[{\"sku\":\"S\",\"quantity\":1}],\"discount\":100}"),
            ("unknown item field", "{\"userId\":\"u\",\"items\":[{\"sku\":\"S\",\"quantity\":1,\"price\":0.01}]}"),
            ("user id as number", "{\"userId\":42,\"items\":[{\"sku\":\"S\",\"quantity\":1}]}"),
            ("quantity as string", "{\"userId\":\"u\",\"items\":[{\"sku\":\"S\",\"quantity\":\"1\"}]}"),
            ("quantity with decimals", "{\"userId\":\"u\",\"items\":[{\"sku\":\"S\",\"quantity\":1.5}]}"),
            ("quantity beyond int", "{\"userId\":\"u\",\"items\":[{\"sku\":\"S\",\"quantity\":99999999999999999999}]}"),
            ("items as object", "{\"userId\":\"u\",\"items\":{\"sku\":\"S\",\"quantity\":1}}"),
            ("item null", "{\"userId\":\"u\",\"items\":[null]}"),
            ("missing user id", "{\"items\":[{\"sku\":\"S\",\"quantity\":1}]}"),
            ("missing items", "{\"userId\":\"u\"}"),
            ("item without quantity", "{\"userId\":\"u\",\"items\":[{\"sku\":\"S\"}]}"),
            ("item without sku", "{\"userId\":\"u\",\"items\":[{\"quantity\":1}]}"),
            ("nesting 100 deep", "{\"userId\":" + new string('[', 100) + new string(']', 100) + "}"),
        })
        {
            yield return new($"place order: {name}", BadRequest, _ => Api.SendRawAsync(HttpMethod.Post, "/api/orders", body));
        }
        yield return new("place order: negative quantity", BadRequest, w => Api.PlaceOrderAsync(w.UserId, (w.Sku, -1)));
        yield return new("place order: int.MaxValue quantity", BadRequest, w => Api.PlaceOrderAsync(w.UserId, (w.Sku, int.MaxValue)));
        yield return new("place order: same SKU twice", BadRequest, w => Api.PlaceOrderAsync(w.UserId, (w.Sku, 1), (w.Sku, 1)));
        yield return new("place order: one known and one unknown SKU", BadRequest, w => Api.PlaceOrderAsync(w.UserId, (w.Sku, 1), ("NOPE-2", 1)));
        yield return new("place order: SQL in SKU", BadRequest, w => Api.PlaceOrderAsync(w.UserId, ("x' OR '1'='1", 1)));
        yield return new("place order: SQL comment in SKU", BadRequest, w => Api.PlaceOrderAsync(w.UserId, (w.Sku + "';--", 1)));
        yield return new("place order: script in SKU", BadRequest, w => Api.PlaceOrderAsync(w.UserId, ("<script>alert(1)</script>", 1)));
        yield return new("place order: accented SKU", BadRequest, w => Api.PlaceOrderAsync(w.UserId, ("SKÜ-1", 1)));
        yield return new("place order: fullwidth digits in SKU", BadRequest, w => Api.PlaceOrderAsync(w.UserId, ("SKU-１", 1)));
        yield return new("place order: user id with NUL", BadRequest, w => Api.PlaceOrderAsync("u\u0000x", (w.Sku, 1)));
        yield return new("place order: user id with newline", BadRequest, w => Api.PlaceOrderAsync("u\nx", (w.Sku, 1)));
        yield return new("place order: user id padded with spaces", BadRequest, w => Api.PlaceOrderAsync(" u ", (w.Sku, 1)));
        yield return new("place order: user id of 33 emoji", BadRequest, w => Api.PlaceOrderAsync(string.Concat(Enumerable.Repeat("😀", 33)), (w.Sku, 1)));
        yield return new("place order: user id with a lone surrogate", BadRequest,
            w => Api.SendRawAsync(HttpMethod.Post, "/api/orders", $"{{\"userId\":\"u\\ud800x\",\"items\":[{{\"sku\":\"{w.Sku}\",\"quantity\":1}}]}}"));
        yield return new("place order: invalid UTF-8 bytes", BadRequest, w => SendBytesAsync(HttpMethod.Post, "/api/orders",
            [.. Encoding.UTF8.GetBytes("{\"userId\":\"u"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes($"\",\"items\":[{{\"sku\":\"{w.Sku}\",\"quantity\":1}}]}}")]));
        yield return new("place order: body above 64 KiB", HttpStatusCode.RequestEntityTooLarge,
            w => Api.SendRawAsync(HttpMethod.Post, "/api/orders", $"{{\"userId\":\"{new string('u', 70_000)}\",\"items\":[]}}"));
        yield return new("place order: 1 MiB of whitespace", HttpStatusCode.RequestEntityTooLarge,
            _ => Api.SendRawAsync(HttpMethod.Post, "/api/orders", new string(' ', 1 << 20) + "{}"));
        yield return new("place order: text/plain", HttpStatusCode.UnsupportedMediaType,
            w => SendBytesAsync(HttpMethod.Post, "/api/orders", Encoding.UTF8.GetBytes("{}"), "text/plain"));
        yield return new("place order: form post", HttpStatusCode.UnsupportedMediaType,
            w => SendBytesAsync(HttpMethod.Post, "/api/orders", Encoding.UTF8.GetBytes("userId=u"), "application/x-www-form-urlencoded"));

        // Reading endpoints.
        yield return new("get order: not a GUID", BadRequest, _ => Api.GetAsync("/api/orders/not-a-guid"));
        yield return new("get order: SQL as id", BadRequest, _ => Api.GetAsync("/api/orders/1%27%20OR%20%271%27%3D%271"));
        yield return new("get order: GUID in braces", BadRequest, _ => Api.GetAsync($"/api/orders/{{{Guid.NewGuid()}}}"));
        yield return new("get order: unknown", HttpStatusCode.NotFound, _ => Api.GetAsync($"/api/orders/{Guid.NewGuid()}"));
        yield return new("get product: SQL in SKU", BadRequest, _ => Api.GetAsync("/api/inventory/x%27%20OR%201%3D1%20--"));
        yield return new("get product: unknown", HttpStatusCode.NotFound, _ => Api.GetAsync("/api/inventory/NOPE-3"));
        yield return new("points: user id of 65 characters", BadRequest, _ => Api.GetAsync($"/api/users/{new string('u', 65)}/points"));
        yield return new("coupons: user id with control character", BadRequest, _ => Api.GetAsync("/api/users/u%01x/coupons"));
        yield return new("sms: user id padded with spaces", BadRequest, _ => Api.GetAsync("/api/users/%20u/sms"));
        yield return new("shipments: no order id", BadRequest, _ => Api.GetAsync("/api/shipments"));
        yield return new("shipments: order id not a GUID", BadRequest, _ => Api.GetAsync("/api/shipments?orderId=%3Cscript%3E"));
        yield return new("unknown route", HttpStatusCode.NotFound, _ => Api.GetAsync("/api/nothing-here"));
        yield return new("wrong method on orders", HttpStatusCode.MethodNotAllowed, _ => Api.SendRawAsync(HttpMethod.Delete, "/api/orders", null));

        // The payment callback: signature first, then the id and the body.
        foreach (var (name, body) in new[]
        {
            ("malformed JSON", "{\"paymentId\":"),
            ("amount with 3 decimals", "{\"paymentId\":\"p-1\",\"amount\":10.001}"),
            ("amount zero", "{\"paymentId\":\"p-1\",\"amount\":0}"),
            ("negative amount", "{\"paymentId\":\"p-1\",\"amount\":-10}"),
            ("huge amount", "{\"paymentId\":\"p-1\",\"amount\":1e30}"),
            ("amount above the ceiling", "{\"paymentId\":\"p-1\",\"amount\":100000000.01}"),
            ("amount as string", "{\"paymentId\":\"p-1\",\"amount\":\"10.00\"}"),
            ("amount NaN", "{\"paymentId\":\"p-1\",\"amount\":NaN}"),
            ("missing amount", "{\"paymentId\":\"p-1\"}"),
            ("missing payment id", "{\"amount\":10}"),
            ("payment id with spaces", "{\"paymentId\":\"p 1\",\"amount\":10}"),
            ("SQL in payment id", "{\"paymentId\":\"x';DROP TABLE order_orders;--\",\"amount\":10}"),
            ("payment id of 65 characters", "{\"paymentId\":\"" + new string('p', 65) + "\",\"amount\":10}"),
            ("non-ASCII payment id", "{\"paymentId\":\"pay-é\",\"amount\":10}"),
            ("unknown field", "{\"paymentId\":\"p-1\",\"amount\":10,\"status\":\"Paid\"}"),
            ("JSON array", "[]"),
        })
        {
            yield return new($"pay: {name}", BadRequest, w => Api.PayRawAsync(w.CreatedOrder, body));
        }
        yield return new("pay: order id not a GUID", BadRequest, _ => Api.PayAsync("not-a-guid", "pay-x", 1m));
        yield return new("pay: body above 64 KiB", HttpStatusCode.RequestEntityTooLarge,
            w => Api.PayRawAsync(w.CreatedOrder, $"{{\"paymentId\":\"{new string('p', 70_000)}\",\"amount\":1}}"));
        yield return new("pay: signature of another body", HttpStatusCode.Unauthorized,
            w => Api.PayRawAsync(w.CreatedOrder, Body("pay-x", w.CreatedTotal), Infrastructure.Api.Sign(Body("pay-y", w.CreatedTotal))));
        yield return new("pay: replayed signature of the paid order with another amount", HttpStatusCode.Unauthorized,
            w => Api.PayRawAsync(w.PaidOrder, Body("pay-1", w.PaidTotal + 1), Infrastructure.Api.Sign(Body("pay-1", w.PaidTotal))));
        yield return new("pay: signature without prefix", HttpStatusCode.Unauthorized,
            w => Api.PayRawAsync(w.CreatedOrder, Body("pay-x", w.CreatedTotal), Infrastructure.Api.Sign(Body("pay-x", w.CreatedTotal))["sha256=".Length..]));
        yield return new("pay: signature not hex", HttpStatusCode.Unauthorized,
            w => Api.PayRawAsync(w.CreatedOrder, Body("pay-x", w.CreatedTotal), "sha256=" + new string('z', 64)));
        yield return new("pay: empty signature", HttpStatusCode.Unauthorized, w => Api.PayRawAsync(w.CreatedOrder, Body("pay-x", w.CreatedTotal), ""));
        yield return new("pay: signature with trailing byte", HttpStatusCode.Unauthorized,
            w => Api.PayRawAsync(w.CreatedOrder, Body("pay-x", w.CreatedTotal), Infrastructure.Api.Sign(Body("pay-x", w.CreatedTotal)) + "0"));

        // The cancellation: the body, then the id, then the reason; then orders it may not cancel.
        foreach (var (name, body) in new[]
        {
            ("empty body", ""),
            ("JSON null", "null"),
            ("JSON array", "[]"),
            ("malformed JSON", "{\"reason\":"),
            ("missing reason", "{}"),
            ("reason null", "{\"reason\":null}"),
            ("empty reason", "{\"reason\":\"\"}"),
            ("reason of spaces", "{\"reason\":\"   \"}"),
            ("reason of 201 characters", "{\"reason\":\"" + new string('r', 201) + "\"}"),
            ("reason with NUL", "{\"reason\":\"changed\\u0000mind\"}"),
            ("reason with newline", "{\"reason\":\"changed\\nmind\"}"),
            ("reason as number", "{\"reason\":42}"),
            ("reason as array", "{\"reason\":[\"x\"]}"),
            ("unknown field", "{\"reason\":\"changed my mind\",\"refund\":false}"),
        })
        {
            yield return new($"cancel: {name}", BadRequest, w => Api.SendRawAsync(HttpMethod.Post, $"/api/orders/{w.PaidOrder}/cancellation", body));
        }
        yield return new("cancel: order id not a GUID", BadRequest,
            _ => Api.SendRawAsync(HttpMethod.Post, "/api/orders/x'%20OR%201=1/cancellation", "{\"reason\":\"changed my mind\"}"));
        yield return new("cancel: unknown order", HttpStatusCode.NotFound,
            _ => Api.SendRawAsync(HttpMethod.Post, $"/api/orders/{Guid.NewGuid()}/cancellation", "{\"reason\":\"changed my mind\"}"));
        yield return new("cancel: order cancelled for short stock", HttpStatusCode.Conflict,
            w => Api.SendRawAsync(HttpMethod.Post, $"/api/orders/{w.CancelledOrder}/cancellation", "{\"reason\":\"changed my mind\"}"));
        yield return new("cancel: 70 KB reason", HttpStatusCode.RequestEntityTooLarge,
            w => Api.SendRawAsync(HttpMethod.Post, $"/api/orders/{w.PaidOrder}/cancellation", "{\"reason\":\"" + new string('r', 70_000) + "\"}"));

        // Admin routes.
        yield return new("put product: no key", HttpStatusCode.Unauthorized, w => Api.SendAsync(HttpMethod.Put, $"/api/admin/inventory/{w.Sku}",
            new { name = "x", price = 1m, available = 1 }));
        yield return new("put product: negative stock", BadRequest, w => Api.PutProductAsync(w.Sku, 1m, -1));
        yield return new("put product: price with 3 decimals", BadRequest, w => Api.PutProductAsync(w.Sku, 1.001m, 1));
        yield return new("put product: zero price", BadRequest, w => Api.PutProductAsync(w.Sku, 0m, 1));
        yield return new("put product: SQL in SKU", BadRequest, _ => Api.PutProductAsync("a%27%3B%20DROP%20TABLE%20x%3B--", 1m, 1));
        yield return new("put product: name of 201 characters", BadRequest, w => Api.SendAsync(HttpMethod.Put, $"/api/admin/inventory/{w.Sku}",
            new { name = new string('n', 201), price = 1m, available = 1 }, ("X-Api-Key", TestSettings.AdminKey)));
        yield return new("put product: blank name", BadRequest, w => Api.SendAsync(HttpMethod.Put, $"/api/admin/inventory/{w.Sku}",
            new { name = "   ", price = 1m, available = 1 }, ("X-Api-Key", TestSettings.AdminKey)));
        yield return new("put product: unknown field", BadRequest, w => Api.SendRawAsync(HttpMethod.Put, $"/api/admin/inventory/{w.Sku}",
            "{\"name\":\"n\",\"price\":1,\"available\":1,\"cost\":0}", ("X-Api-Key", TestSettings.AdminKey)));
    }

    private static IEnumerable<Case> OperatorCases()
    {
        var key = ("X-Api-Key", TestSettings.AdminKey);
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "/api/admin/outbox?state=failed"), (HttpMethod.Post, $"/api/admin/outbox/{Guid.NewGuid()}/retry"),
            (HttpMethod.Get, "/api/admin/reconciliation"), (HttpMethod.Post, "/api/admin/retention/run"),
            (HttpMethod.Get, "/api/admin/dead-letters"), (HttpMethod.Post, "/api/admin/dead-letters/push/replay"),
        })
        {
            yield return new($"{method} {path.Split('?')[0]}: no key", HttpStatusCode.Unauthorized, _ => Api.SendRawAsync(method, path, null));
            yield return new($"{method} {path.Split('?')[0]}: wrong key", HttpStatusCode.Unauthorized,
                _ => Api.SendRawAsync(method, path, null, ("X-Api-Key", TestSettings.AdminKey + "x")));
        }
        yield return new("outbox: unknown state", BadRequest, _ => Api.SendRawAsync(HttpMethod.Get, "/api/admin/outbox?state=all", null, key));
        yield return new("outbox: no state", BadRequest, _ => Api.SendRawAsync(HttpMethod.Get, "/api/admin/outbox", null, key));
        yield return new("outbox: limit 0", BadRequest, _ => Api.SendRawAsync(HttpMethod.Get, "/api/admin/outbox?state=pending&limit=0", null, key));
        yield return new("outbox retry: not a GUID", BadRequest, _ => Api.SendRawAsync(HttpMethod.Post, "/api/admin/outbox/1%20OR%201=1/retry", null, key));
        yield return new("outbox retry: unknown message", HttpStatusCode.NotFound,
            _ => Api.SendRawAsync(HttpMethod.Post, $"/api/admin/outbox/{Guid.NewGuid()}/retry", null, key));
        yield return new("dead letters: unknown module", HttpStatusCode.NotFound,
            _ => Api.SendRawAsync(HttpMethod.Post, "/api/admin/dead-letters/inventory%27--/replay", null, key));
        yield return new("dead letters: peek 101", BadRequest, _ => Api.SendRawAsync(HttpMethod.Get, "/api/admin/dead-letters?peek=101", null, key));
        yield return new("reconciliation: negative age", BadRequest,
            _ => Api.SendRawAsync(HttpMethod.Get, "/api/admin/reconciliation?olderThanSeconds=-1", null, key));
    }

    private static async Task<Reply> SendBytesAsync(HttpMethod method, string path, byte[] body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await Api.Http.SendAsync(request);
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.Location,
            await response.Content.ReadAsStringAsync());
    }
}
