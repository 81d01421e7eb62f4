using System.Net;
using Microsoft.AspNetCore.Routing;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Observability;

public sealed class ApiDocsTests : SystemTest
{
    [Test]
    public async Task The_OpenAPI_document_lists_every_api_route_with_its_success_and_problem_answers()
    {
        var reply = await Api.GetAsync("/openapi/v1.json");
        Assert.That(reply.Status, Is.EqualTo(HttpStatusCode.OK), reply.ToString());
        var paths = reply.Json["paths"]!.AsObject();
        var routes = ApiRoutes();
        Assert.That(routes, Has.Count.GreaterThanOrEqualTo(9), "the routes the host maps");

        foreach (var (method, path) in routes)
        {
            var operation = paths[path]?[method.ToLowerInvariant()];
            Assert.That(operation, Is.Not.Null, $"{method} {path} is missing from the document");
            var responses = operation!["responses"]!.AsObject();
            Assert.That(responses.Select(r => r.Key), Has.Some.Matches<string>(s => s.StartsWith('2')), $"{method} {path}: a success shape");
            var problems = responses.Where(r => r.Key.StartsWith('4') || r.Key.StartsWith('5')).ToList();
            Assert.That(problems, Is.Not.Empty, $"{method} {path}: its errors");
            Assert.That(problems.Select(p => p.Value!["content"]?["application/problem+json"]), Has.All.Not.Null,
                $"{method} {path}: every error is problem+json");
        }
    }

    [Test]
    public async Task The_payment_callback_is_documented_with_its_body_signature_header_answer_and_refusals()
    {
        var document = (await Api.GetAsync("/openapi/v1.json")).Json;
        var payment = document["paths"]!["/api/orders/{orderId}/payment"]!["post"]!;

        var body = payment["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        Assert.That(body, Does.EndWith("/PayOrderRequest"));
        var request = document["components"]!["schemas"]!["PayOrderRequest"]!["properties"]!.AsObject();
        Assert.That(request.Select(p => p.Key), Is.EquivalentTo(new[] { "paymentId", "amount" }));
        Assert.That(payment["parameters"]!.AsArray().Select(p => $"{p!["in"]}:{p["name"]}"),
            Is.SupersetOf(new[] { "path:orderId", "header:X-Signature" }));
        var responses = payment["responses"]!.AsObject().Select(r => r.Key);
        Assert.That(responses, Is.SupersetOf(new[] { "200", "400", "401", "404", "409", "413", "415", "422", "503" }));
        Assert.That(payment["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>(),
            Does.EndWith("/PayOrderResponse"));

        var admin = document["paths"]!["/api/admin/inventory/{sku}"]!["put"]!;
        Assert.That(admin["parameters"]!.AsArray().Select(p => $"{p!["in"]}:{p["name"]}"), Does.Contain("header:X-Api-Key"));
    }

    [Test]
    public async Task The_API_reference_page_is_served_at_docs()
    {
        var page = await Api.GetAsync("/docs/");
        Assert.That(page.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.MediaType, Is.EqualTo("text/html"));
        Assert.That(page.Body, Does.Contain("<title>OrderSystem API</title>"));
        Assert.That(page.Body, Does.Contain("\"url\":\"openapi/v1.json\""), "the page loads the generated document");
        var script = await Api.GetAsync("/docs/scalar.js");
        Assert.That(script.Status, Is.EqualTo(HttpStatusCode.OK), "the reference's script is served by the host, not a CDN");
    }

    /// <summary>Every /api route the running host maps, as the router knows them (not as the document claims).</summary>
    private static List<(string Method, string Path)> ApiRoutes() =>
        System.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Path: "/" + e.RoutePattern.RawText!.Trim('/'), Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []))
            .Where(e => e.Path.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Methods.Select(m => (m, e.Path)))
            .ToList();
}
