using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrderSystem.Tests.ThirdParties;

/// <summary>
/// A merchant's webhook endpoint in miniature: a Kestrel server on a free local port that keeps every delivery and
/// answers each with the status <c>statusOf(n)</c> gives for the n-th delivery (1-based), 200 unless told otherwise.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Delivery> _deliveries = new();
    private int _count;

    internal sealed record Delivery(string Body, string? Signature, string? ContentType, DateTimeOffset At);

    private WebhookReceiver(Func<int, int> statusOf)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/refund-webhook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var n = Interlocked.Increment(ref _count);
            _deliveries.Enqueue(new Delivery(body, request.Headers["X-Signature"], request.ContentType, DateTimeOffset.UtcNow));
            return Results.StatusCode(statusOf(n));
        });
    }

    /// <summary>Where the simulator should send the webhooks: the notifyUrl.</summary>
    public string NotifyUrl => _app.Urls.Single() + "/refund-webhook";

    public IReadOnlyList<Delivery> Deliveries => [.. _deliveries];

    public static async Task<WebhookReceiver> StartAsync(Func<int, int>? statusOf = null)
    {
        var receiver = new WebhookReceiver(statusOf ?? (_ => StatusCodes.Status200OK));
        await receiver._app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
