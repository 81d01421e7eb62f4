using System.Globalization;
using System.Text.Json.Nodes;
using OrderSystem.Feed.Client;
using OrderSystem.Feed.Contracts;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Feed;

/// <summary>The stream of one test system as a consumer reads it, checked as it goes: no gap, versions 1, 2, 3... per order.</summary>
internal sealed class FeedLog
{
    private readonly Dictionary<Guid, FeedEvent> _latest = [];
    private readonly SequenceCheck _sequence = new(0);

    public List<FeedEvent> Events { get; } = [];

    public int Repeats { get; private set; }

    public IReadOnlyDictionary<Guid, FeedEvent> Latest => _latest;

    public static Uri AmqpUri(string vhost) => new(
        $"amqp://{TestSettings.RabbitUser}:{TestSettings.RabbitPassword}@127.0.0.1:{TestSettings.Configuration["RabbitMq:Port"]}/{Uri.EscapeDataString(vhost)}");

    /// <summary>A reader once the sequencer has declared the stream (it does on its first pass).</summary>
    public static async Task<ChangelogReader> OpenAsync(string vhost, StreamStart? start = null)
    {
        await Eventually.Until(async () => (await RabbitManagement.QueueNamesAsync(vhost)).Contains(FeedStream.Name), exists => exists,
            TimeSpan.FromSeconds(30), $"the stream {FeedStream.Name} to be declared");
        return await ChangelogReader.OpenAsync(AmqpUri(vhost), start ?? StreamStart.First);
    }

    /// <summary>Takes what the reader has until it is idle for <paramref name="idleMs"/>.</summary>
    public async Task<int> DrainAsync(ChangelogReader reader, int idleMs = 300)
    {
        var taken = 0;
        while (await reader.ReadAsync(TimeSpan.FromMilliseconds(idleMs)) is { } delivery)
        {
            Take(delivery.Event);
            taken++;
        }
        return taken;
    }

    public void Take(FeedEvent e)
    {
        if (!_sequence.Accept(e))
        {
            Repeats++;
            return;
        }
        var expectedVersion = _latest.TryGetValue(e.OrderId, out var before) ? before.Version + 1 : 1;
        Assert.That(e.Version, Is.EqualTo(expectedVersion), $"order {e.OrderId}'s version at sequence {e.Sequence}");
        _latest[e.OrderId] = e;
        Events.Add(e);
    }

    /// <summary>The fields GET /api/orders/{id} shows, from the feed's state and from the API, in one comparable form.</summary>
    public static string Comparable(FeedOrder o) => string.Join("|",
        o.OrderId, o.UserId, o.Status, o.TotalAmount.ToString("0.00", CultureInfo.InvariantCulture),
        string.Join(",", o.Items.Select(i => $"{i.Sku}x{i.Quantity}@{i.UnitPrice:0.00}")),
        Time(o.CreatedAt), Time(o.ExpiresAt), o.PaymentId, Time(o.PaidAt), Time(o.ExpiredAt),
        $"{o.Fulfillment.Points.Status}@{Time(o.Fulfillment.Points.At)}", $"{o.Fulfillment.Coupon.Status}@{Time(o.Fulfillment.Coupon.At)}",
        $"{o.Fulfillment.Sms.Status}@{Time(o.Fulfillment.Sms.At)}", $"{o.Fulfillment.Shipment.Status}@{Time(o.Fulfillment.Shipment.At)}");

    public static string Comparable(JsonNode o)
    {
        DateTime? At(JsonNode? n) => n is null ? null : n.GetValue<DateTime>();
        string Step(string s) => $"{o["fulfillment"]![s]!["status"]}@{Time(At(o["fulfillment"]![s]!["at"]))}";
        return string.Join("|",
            Guid.Parse(o["orderId"]!.GetValue<string>()), o["userId"], o["status"], o["totalAmount"]!.GetValue<decimal>().ToString("0.00", CultureInfo.InvariantCulture),
            string.Join(",", o["items"]!.AsArray().Select(i => $"{i!["sku"]}x{i["quantity"]}@{i["unitPrice"]!.GetValue<decimal>():0.00}")),
            Time(At(o["createdAt"])), Time(At(o["expiresAt"])), o["paymentId"]?.GetValue<string>(), Time(At(o["paidAt"])), Time(At(o["expiredAt"])),
            Step("points"), Step("coupon"), Step("sms"), Step("shipment"));
    }

    /// <summary>Each refund as GET /api/orders/{id} shows it (id, payment, amount, reason, status, times), from the feed and from the API.</summary>
    public static string ComparableRefunds(FeedOrder o) => string.Join(",", (o.Refunds ?? []).Select(r =>
        $"{r.RefundId}/{r.PaymentId}/{r.Amount:0.00}/{r.Reason}/{r.Status}/{Time(r.RequestedAt)}/{Time(r.CompletedAt)}"));

    public static string ComparableRefunds(JsonNode o)
    {
        DateTime? At(JsonNode? n) => n is null ? null : n.GetValue<DateTime>();
        return string.Join(",", (o["refunds"]?.AsArray() ?? new JsonArray()).Select(r =>
            $"{Guid.Parse(r!["refundId"]!.GetValue<string>())}/{r["paymentId"]}/{r["amount"]!.GetValue<decimal>():0.00}/{r["reason"]}/{r["status"]}/" +
            $"{Time(At(r["requestedAt"]))}/{Time(At(r["completedAt"]))}"));
    }

    private static string Time(DateTime? t) => t?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? "-";
}
