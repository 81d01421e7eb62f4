using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrderSystem.ThirdParties.Simulator.Payments;

/// <summary>
/// Tells the merchant a refund ended: POST notifyUrl with {"refundId","paymentId","orderId","amount","status","completedAt"}
/// signed X-Signature: sha256=(lowercase hex HMAC-SHA256 of the raw body, keyed by Payments:CallbackSecret). A non-2xx
/// answer or a failed delivery is retried after 1 s, 2 s, 4 s, … (at most 30 s), as often as the refund's plan says.
/// Each copy of a duplicated webhook is delivered and retried on its own. Deliveries run side by side, so a receiver
/// that hangs delays only its own.
/// </summary>
internal sealed class RefundWebhooks(IHttpClientFactory clients, IConfiguration configuration, TimeProvider clock,
    ILogger<RefundWebhooks> log) : BackgroundService
{
    public const string Client = "refund-webhooks";
    public const string SignatureHeader = "X-Signature";
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly byte[] _secret = Encoding.UTF8.GetBytes(configuration["Payments:CallbackSecret"] is { Length: > 0 } secret
        ? secret
        : throw new InvalidOperationException("Payments:CallbackSecret is not configured."));
    private readonly PriorityQueue<Delivery, DateTimeOffset> _due = new();
    private readonly Lock _lock = new();

    private sealed record Delivery(Guid RefundId, Uri Url, byte[] Body, string Signature, int Attempt, int Retries);

    public void Notify(Refund refund, Uri url, WebhookPlan plan)
    {
        if (plan.Copies == 0)
        {
            log.LogInformation("Refund {RefundId}: its webhook is dropped (simulated, webhookDropProbability)", refund.RefundId);
            return;
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new { refund.RefundId, refund.PaymentId, refund.OrderId, refund.Amount, refund.Status, refund.CompletedAt }, JsonBody.Strict);
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, body));
        for (var copy = 0; copy < plan.Copies; copy++)
        {
            Schedule(new Delivery(refund.RefundId, url, body, signature, Attempt: 1, plan.Retries), clock.GetUtcNow());
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var delivery in TakeDue())
            {
                _ = DeliverAsync(delivery, stoppingToken);
            }
            try
            {
                await timer.WaitForNextTickAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task DeliverAsync(Delivery delivery, CancellationToken stoppingToken)
    {
        string outcome;
        try
        {
            using var content = new ByteArrayContent(delivery.Body);
            content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = content };
            request.Headers.Add(SignatureHeader, delivery.Signature);
            using var response = await clients.CreateClient(Client).SendAsync(request, stoppingToken);
            if (response.IsSuccessStatusCode)
            {
                log.LogInformation("Refund {RefundId}: webhook delivered to {Url} (attempt {Attempt})",
                    delivery.RefundId, delivery.Url, delivery.Attempt);
                return;
            }
            outcome = $"answered {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            // A receiver that is down, slow (the client's timeout) or answers garbage must never hurt the provider.
            outcome = $"failed ({e.GetType().Name}: {e.Message})";
        }
        if (delivery.Attempt > delivery.Retries)
        {
            log.LogWarning("Refund {RefundId}: webhook to {Url} {Outcome} at attempt {Attempt}; giving up",
                delivery.RefundId, delivery.Url, outcome, delivery.Attempt);
            return;
        }
        var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, delivery.Attempt - 1), MaxBackoff.TotalSeconds));
        log.LogInformation("Refund {RefundId}: webhook to {Url} {Outcome} at attempt {Attempt}; again in {Backoff}",
            delivery.RefundId, delivery.Url, outcome, delivery.Attempt, backoff);
        Schedule(delivery with { Attempt = delivery.Attempt + 1 }, clock.GetUtcNow() + backoff);
    }

    private void Schedule(Delivery delivery, DateTimeOffset at)
    {
        lock (_lock)
        {
            _due.Enqueue(delivery, at);
        }
    }

    private List<Delivery> TakeDue()
    {
        var now = clock.GetUtcNow();
        var due = new List<Delivery>();
        lock (_lock)
        {
            while (_due.TryPeek(out _, out var at) && at <= now)
            {
                due.Add(_due.Dequeue());
            }
        }
        return due;
    }
}
