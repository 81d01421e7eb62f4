using OrderSystem.Feed.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Feed.Sequencing;

/// <summary>
/// The refunds in an order's feed state, by Refunds' own rules: a refund is created Requested with its cause, then moves
/// through the states Refunds reports; an end state sets completedAt once (a later Resolved keeps it), as GET
/// /api/orders/{id} shows it. The bus may deliver two changes of one refund out of order, so a change older than the one
/// the feed has, or the same state again, is no change.
/// </summary>
internal static class RefundProjection
{
    private static readonly HashSet<string> EndStates = ["Succeeded", "Closed", "ManualReview", "Resolved"];

    /// <summary>The RefundChanged event of a refund created with its cause; null when the order has it already.</summary>
    public static OrderProjection.Produced? Requested(FeedOrder order, Guid? refundId, string paymentId, decimal amount, string reason, DateTime at) =>
        Apply(order, refundId, paymentId, amount, reason, "Requested", at);

    /// <summary>The RefundChanged event of a refund's new state; null when it changes nothing.</summary>
    public static OrderProjection.Produced? Moved(FeedOrder order, OrderRefundChanged change) =>
        Apply(order, change.RefundId, change.PaymentId, change.Amount, change.Reason, change.Status, change.OccurredAt);

    private static OrderProjection.Produced? Apply(
        FeedOrder order, Guid? refundId, string paymentId, decimal amount, string reason, string status, DateTime occurredAt)
    {
        var at = OrderProjection.Db(occurredAt);
        var refunds = (order.Refunds ?? []).ToList();
        var index = IndexOf(refunds, refundId, paymentId);
        FeedRefund next;
        if (index < 0)
        {
            next = new FeedRefund(paymentId, amount, reason, status, at, refundId, status, at, EndStates.Contains(status) ? at : (DateTime?)null);
            refunds.Add(next);
        }
        else
        {
            var current = refunds[index];
            if (current.State == status || at < current.At)
            {
                return null;
            }
            next = current with
            {
                State = status, Status = status, At = at, RefundId = current.RefundId ?? refundId,
                CompletedAt = current.CompletedAt ?? (EndStates.Contains(status) ? at : (DateTime?)null),
            };
            refunds[index] = next;
        }
        return new(FeedEventTypes.RefundChanged, at, order with { Refunds = refunds }, new FeedChange(Refund: next));
    }

    // By its id; a refund the feed recorded before ids were carried is found by its payment (refunded once, until a reissue).
    private static int IndexOf(List<FeedRefund> refunds, Guid? refundId, string paymentId)
    {
        var byId = refundId is null ? -1 : refunds.FindIndex(r => r.RefundId == refundId);
        return byId >= 0 ? byId : refunds.FindIndex(r => r.RefundId is null && r.PaymentId == paymentId);
    }
}
