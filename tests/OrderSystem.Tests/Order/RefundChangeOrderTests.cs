using System.Net;
using Dapper;
using MassTransit;
using OrderSystem.Refunds.Contracts;
using OrderSystem.Tests.Infrastructure;

namespace OrderSystem.Tests.Order;

/// <summary>
/// A refund's changes reach Order's outbox, and so the order feed, in the order Refunds made them, whatever order the bus
/// brings them in: each carries its version, and a change that comes before its predecessor waits for it.
/// </summary>
public sealed class RefundChangeOrderTests : SystemTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Changes_delivered_last_first_are_recorded_first_to_last()
    {
        var refund = NewRefund();
        var bus = System.Get<IBus>();
        var processing = await PublishAsync(bus, refund with { Status = "Processing", Version = 3 });
        var submitted = await PublishAsync(bus, refund with { Status = "Submitted", Version = 2 });
        await ConsumedAsync(processing, submitted);
        Assert.That(await RecordedStatesAsync(refund.RefundId), Is.Empty, "nothing recorded while version 1 is missing");
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_refund_changes WHERE refund_id = @RefundId AND NOT recorded", refund),
            Is.EqualTo(2), "both held");
        Assert.That(await HeldFindingsAsync(refund.RefundId), Is.EqualTo(new[] { "version 2" }), "the audit shows the wait");

        await ConsumedAsync(await PublishAsync(bus, refund with { Status = "Requested", Version = 1 }));

        Assert.That(await RecordedStatesAsync(refund.RefundId), Is.EqualTo(new[] { "Requested", "Submitted", "Processing" }));
        Assert.That(await CountAsync("SELECT COUNT(*) FROM order_refund_changes WHERE refund_id = @RefundId AND NOT recorded", refund),
            Is.Zero, "none held any more");
        Assert.That(await HeldFindingsAsync(refund.RefundId), Is.Empty);

        await ConsumedAsync(await PublishAsync(bus, refund with { Status = "Succeeded", Version = 4 }));
        Assert.That(await RecordedStatesAsync(refund.RefundId), Is.EqualTo(new[] { "Requested", "Submitted", "Processing", "Succeeded" }));
    }

    [Test]
    public async Task Ten_changes_published_at_once_in_a_shuffled_order_are_recorded_in_version_order()
    {
        var refund = NewRefund();
        var bus = System.Get<IBus>();
        var versions = Enumerable.Range(1, 10).ToArray();
        Random.Shared.Shuffle(versions);

        var messageIds = await Task.WhenAll(versions.Select(v => PublishAsync(bus, refund with { Status = $"State{v}", Version = v })));
        await ConsumedAsync(messageIds);

        Assert.That(await RecordedStatesAsync(refund.RefundId), Is.EqualTo(Enumerable.Range(1, 10).Select(v => $"State{v}")),
            $"published as {string.Join(", ", versions)}");
    }

    [Test]
    public async Task A_change_delivered_again_is_recorded_once_under_either_message_id()
    {
        var refund = NewRefund() with { Version = 1 };
        var bus = System.Get<IBus>();
        var first = await PublishAsync(bus, refund);
        var again = NewId.NextGuid();
        await bus.Publish(refund, c => c.MessageId = first);
        await bus.Publish(refund, c => c.MessageId = again);
        await Eventually.Until(() => Task.FromResult(System.Consumed.Count<RefundChanged>(first) + System.Consumed.Count<RefundChanged>(again)),
            n => n == 3, Timeout, "the three deliveries consumed");

        Assert.That(await RecordedStatesAsync(refund.RefundId), Is.EqualTo(new[] { "Requested" }));
    }

    [Test]
    public async Task A_real_refund_numbers_its_changes_without_a_gap_and_order_records_them_in_that_order()
    {
        var (orderId, total) = await NewOrderAsync(Fresh("u"), await NewProductAsync(7.50m));
        Assert.That((await Api.PayAsync(orderId, Fresh("pay"), total)).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await Api.SendAsync(HttpMethod.Post, $"/api/orders/{orderId}/cancellation", new { reason = "changed my mind" })).Status,
            Is.EqualTo(HttpStatusCode.Accepted));
        await Eventually.Until(() => CountAsync("SELECT COUNT(*) FROM refunds_refunds WHERE order_id = @orderId AND status = 'Succeeded'", new { orderId }),
            n => n == 1, Timeout, "the refund to succeed");
        await using var connection = await System.OpenAsync();
        var (refundId, version) = await connection.QuerySingleAsync<(Guid, int)>(
            "SELECT refund_id, version FROM refunds_refunds WHERE order_id = @orderId", new { orderId });
        var published = (await connection.QueryAsync<(int Version, string Status)>("""
            SELECT JSON_VALUE(payload, '$.version'), JSON_VALUE(payload, '$.status') FROM refunds_outbox
            WHERE message_type LIKE '%.RefundChanged' AND JSON_VALUE(payload, '$.refundId') = @refundId ORDER BY id
            """, new { refundId = refundId.ToString() })).AsList();

        Assert.That(published.Select(p => p.Version), Is.EqualTo(Enumerable.Range(1, version)), "1, 2, 3… up to the refund's version");
        var states = published.Select(p => p.Status).ToArray();
        Assert.That(states[0], Is.EqualTo("Requested"));
        Assert.That(states[^1], Is.EqualTo("Succeeded"));
        var recorded = await Eventually.Until(() => RecordedStatesAsync(refundId), s => s.Count == states.Length, Timeout,
            "Order to record every change");
        Assert.That(recorded, Is.EqualTo(states));
    }

    private static RefundChanged NewRefund() =>
        new(Guid.NewGuid(), Guid.NewGuid(), Fresh("pay"), 12.50m, "Cancelled", "Requested", DateTime.UtcNow);

    private static async Task<Guid> PublishAsync(IBus bus, RefundChanged change)
    {
        var messageId = NewId.NextGuid();
        await bus.Publish(change with { OccurredAt = DateTime.UtcNow }, c => c.MessageId = messageId);
        return messageId;
    }

    private static Task ConsumedAsync(params Guid[] messageIds) =>
        Eventually.Until(() => Task.FromResult(messageIds.All(id => System.Consumed.Count<RefundChanged>(id) == 1)), all => all,
            Timeout, "Order to consume the changes");

    // The operator's audit with no grace: the first held version of each refund that waits.
    private static async Task<IReadOnlyList<string>> HeldFindingsAsync(Guid refundId)
    {
        var audit = await Api.SendRawAsync(HttpMethod.Get, "/api/admin/reconciliation?olderThanSeconds=0", null, ("X-Api-Key", TestSettings.AdminKey));
        Assert.That(audit.Status, Is.EqualTo(HttpStatusCode.OK), audit.ToString());
        return audit.Json["findings"]!.AsArray()
            .Where(f => f!["check"]!.GetValue<string>() == "refund-change-held" && f["subject"]!.GetValue<string>() == refundId.ToString())
            .Select(f => string.Join(' ', f!["detail"]!.GetValue<string>().Split(' ').Take(2))).ToList();
    }

    // The refund's changes in Order's outbox, in the id order the feed reads them in.
    private static async Task<IReadOnlyList<string>> RecordedStatesAsync(Guid refundId)
    {
        await using var connection = await System.OpenAsync();
        return (await connection.QueryAsync<string>("""
            SELECT JSON_VALUE(payload, '$.status') FROM order_outbox
            WHERE message_type LIKE '%.OrderRefundChanged' AND JSON_VALUE(payload, '$.refundId') = @refundId ORDER BY id
            """, new { refundId = refundId.ToString() })).AsList();
    }
}
