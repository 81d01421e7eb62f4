using MySqlConnector;
using OrderSystem.BuildingBlocks.Inbox;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Points.Contracts;
using OrderSystem.Tests.Infrastructure;
using PointsTag = OrderSystem.Points.ModuleTag;

namespace OrderSystem.Tests.BuildingBlocks;

/// <summary>
/// The completion-event path of <see cref="InboxTable.ApplyOnceAsync{TReport}"/>, the one a module takes in a
/// process without Order (the test host runs Order, so its consumers take the in-process path instead): a redelivery
/// and a duplicate under a new message id apply nothing and announce nothing a second time.
/// </summary>
public sealed class InboxTableTests : SystemTest
{
    [Test]
    public async Task Without_an_in_process_report_the_event_is_written_once_whatever_the_duplicates()
    {
        // Points' store, as its consumer uses it (its relay then publishes the event, as it would).
        var points = System.Get<ModuleStore<PointsTag>>();
        var orderId = Guid.NewGuid();
        var firstId = Guid.NewGuid();

        await ApplyAsync(points, firstId, orderId);
        await ApplyAsync(points, firstId, orderId); // redelivered
        await ApplyAsync(points, Guid.NewGuid(), orderId); // the same order under another message id

        var order = new { OrderId = orderId };
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT COUNT(*) FROM points_entries WHERE order_id = @OrderId", order), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT COUNT(*) FROM points_inbox WHERE consumer = 'InboxTableTests'"), Is.EqualTo(2),
                "each message id recorded once");
            Assert.That(await CountAsync("SELECT COUNT(*) FROM points_outbox WHERE payload LIKE @Id", new { Id = $"%{orderId}%" }),
                Is.EqualTo(1), "one event, for the one effect");
        });
    }

    private static Task ApplyAsync(ModuleStore points, Guid messageId, Guid orderId)
    {
        var now = DateTime.UtcNow;
        var effect = new MySqlBatchCommand(
            "INSERT IGNORE INTO points_entries (order_id, user_id, points, created_at) VALUES (@OrderId, 'u-inbox', 1, @Now)")
        {
            Parameters = { new("@OrderId", orderId), new("@Now", now) },
        };
        return points.Inbox.ApplyOnceAsync(points.Db, points.Outbox, messageId, nameof(InboxTableTests), now, effect,
            new PointsGranted(orderId, "u-inbox", 1, now), inProcessReport: null);
    }
}
