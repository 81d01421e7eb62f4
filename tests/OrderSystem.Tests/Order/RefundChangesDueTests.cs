using OrderSystem.Order.ChangeLog;
using static OrderSystem.Order.ChangeLog.RefundChangesInOrder;

namespace OrderSystem.Tests.Order;

/// <summary>Which held refund changes may be recorded: those that follow the mark without a gap (a pure unit test).</summary>
public sealed class RefundChangesDueTests
{
    [Test]
    public void Nothing_is_due_until_the_first_version_arrives()
    {
        Assert.That(RefundChangesInOrder.Due([Held(2), Held(3)]), Is.Empty);
    }

    [Test]
    public void The_changes_after_the_mark_are_due_up_to_the_first_gap()
    {
        var due = RefundChangesInOrder.Due([Held(3, recorded: true), Held(4, recorded: true), Held(5), Held(6), Held(8)]);
        Assert.That(due.Select(c => c.Version), Is.EqualTo(new[] { 5, 6 }), "8 waits for 7");
    }

    [Test]
    public void A_repeat_of_a_change_before_the_mark_is_not_due_again()
    {
        var due = RefundChangesInOrder.Due([Held(2), Held(3, recorded: true), Held(4)]);
        Assert.That(due.Select(c => c.Version), Is.EqualTo(new[] { 4 }));
    }

    private static HeldChange Held(int version, bool recorded = false) =>
        new(version, Guid.Empty, "pay-1", 1m, "Cancelled", "Processing", DateTime.UtcNow, recorded);
}
