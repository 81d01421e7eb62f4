using OrderSystem.Feed.Contracts;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Feed.Sequencing;

/// <summary>
/// Turns one of Order's committed changes into the feed's events, carrying the order's state forward: the state after
/// each event is computed from the events alone, following the same rules as Order's own writes, so the feed never reads
/// Order's tables and each event shows the order as it was right after that change (not as it is when sequenced).
/// A change that changes nothing Order's view shows (a step recorded Done twice) makes no event.
/// </summary>
internal static class OrderProjection
{
    internal sealed record Produced(string Type, DateTime OccurredAt, FeedOrder State, FeedChange? Change = null);

    public static Guid OrderIdOf(object change) => change switch
    {
        OrderCreated c => c.OrderId,
        OrderPaid p => p.OrderId,
        OrderExpired e => e.OrderId,
        OrderRefundRequested r => r.OrderId,
        OrderFulfillmentStepChanged f => f.OrderId,
        OrderCancelled c => c.OrderId,
        UnpaidOrderCancelled u => u.OrderId,
        OrderRefundChanged r => r.OrderId,
        _ => throw new ArgumentException($"The feed does not describe {change.GetType().Name}.", nameof(change)),
    };

    public static IEnumerable<Produced> Apply(FeedOrder? state, object change)
    {
        switch (change)
        {
            case OrderCreated c when state is null:
                yield return new(FeedEventTypes.OrderCreated, Db(c.OccurredAt), new FeedOrder(c.OrderId, c.UserId, "Created", c.TotalAmount,
                    Items(c.Items), Db(c.OccurredAt), Db(c.ExpiresAt), null, null, null, FeedFulfillment.Pending));
                break;
            case OrderPaid p:
                yield return new(FeedEventTypes.OrderPaid, Db(p.OccurredAt), (state ?? Unseen(p.OrderId, p.UserId, p.Items, p.Amount)) with
                {
                    Status = "Paid", PaymentId = p.PaymentId, PaidAt = Db(p.OccurredAt),
                });
                break;
            case OrderExpired e:
                var before = state ?? Unseen(e.OrderId, e.UserId, e.Items, e.Items.Sum(i => i.UnitPrice * i.Quantity));
                yield return new(FeedEventTypes.OrderExpired, Db(e.OccurredAt), before with
                {
                    Status = "Expired", ExpiredAt = Db(e.OccurredAt), ExpiresAt = before.ExpiresAt ?? Db(e.ExpiresAt),
                });
                break;
            case OrderRefundRequested r:
                var order = state ?? Unseen(r.OrderId, r.UserId, [], r.Amount);
                // A payment that found the stock short cancelled the order in the same transaction; this row says so.
                if (r.Reason == "out-of-stock" && order.Status == "Created")
                {
                    order = order with { Status = "Cancelled", PaymentId = r.PaymentId, CancelledAt = Db(r.OccurredAt) };
                    yield return new(FeedEventTypes.OrderCancelled, Db(r.OccurredAt), order);
                }
                // A late payment is recorded on the order when it is the first (LatePayment): payment_id stays the first one.
                order = order with { PaymentId = order.PaymentId ?? r.PaymentId };
                if (RefundProjection.Requested(order, r.RefundId, r.PaymentId, r.Amount, r.Reason, r.OccurredAt) is { } requested)
                {
                    yield return requested;
                }
                break;
            case OrderCancelled c:
                var cancelled = (state ?? Unseen(c.OrderId, c.UserId, c.Items, c.Amount)) with
                {
                    Status = "Cancelled", PaymentId = state?.PaymentId ?? c.PaymentId, CancelledAt = Db(c.OccurredAt),
                };
                yield return new(FeedEventTypes.OrderCancelled, Db(c.OccurredAt), cancelled);
                // Its refund was created in the same transaction (Refunds' reason for it: "cancellation").
                if (RefundProjection.Requested(cancelled, c.RefundId, c.PaymentId, c.Amount, "cancellation", c.OccurredAt) is { } refunded)
                {
                    yield return refunded;
                }
                break;
            case UnpaidOrderCancelled u:
                yield return new(FeedEventTypes.OrderCancelled, Db(u.OccurredAt), (state ?? Unseen(u.OrderId, u.UserId, u.Items, u.TotalAmount)) with
                {
                    Status = "Cancelled", CancelledAt = Db(u.OccurredAt),
                });
                break;
            // An order the feed never met (placed before it was deployed) is shown from its next change of its own: this
            // one does not carry the buyer.
            case OrderRefundChanged rc when state is not null:
                if (RefundProjection.Moved(state, rc) is { } moved)
                {
                    yield return moved;
                }
                break;
            case OrderFulfillmentStepChanged f when state is not null:
                var current = StepOf(state.Fulfillment, f.Step);
                // Done is final (FulfillmentWrites); the same state again is no change.
                var next = current.Status == "Done" ? current : new FeedStep(f.Status, Db(f.At));
                if (next != current)
                {
                    yield return new(FeedEventTypes.FulfillmentChanged, Db(f.At), state with { Fulfillment = WithStep(state.Fulfillment, f.Step, next) },
                        new FeedChange(Step: Name(f.Step), Status: next.Status));
                }
                break;
        }
    }

    // An order the feed first meets after its creation (placed before the feed was deployed): what the event says.
    private static FeedOrder Unseen(Guid orderId, string userId, IReadOnlyList<OrderLine> lines, decimal total) =>
        new(orderId, userId, "Created", total, Items(lines), null, null, null, null, null, FeedFulfillment.Pending);

    private static List<FeedOrderItem> Items(IReadOnlyList<OrderLine> lines) =>
        [.. lines.Select(l => new FeedOrderItem(l.Sku, l.Quantity, l.UnitPrice)).OrderBy(i => i.Sku, StringComparer.Ordinal)];

    private static FeedStep StepOf(FeedFulfillment f, FulfillmentStep step) => step switch
    {
        FulfillmentStep.Points => f.Points,
        FulfillmentStep.Coupon => f.Coupon,
        FulfillmentStep.Sms => f.Sms,
        _ => f.Shipment,
    };

    private static FeedFulfillment WithStep(FeedFulfillment f, FulfillmentStep step, FeedStep value) => step switch
    {
        FulfillmentStep.Points => f with { Points = value },
        FulfillmentStep.Coupon => f with { Coupon = value },
        FulfillmentStep.Sms => f with { Sms = value },
        _ => f with { Shipment = value },
    };

    private static string Name(FulfillmentStep step) => step.ToString().ToLowerInvariant();

    // As a DATETIME(6) column keeps it: microseconds, UTC.
    internal static DateTime Db(DateTime at)
    {
        var ticks = (at.Kind == DateTimeKind.Local ? at.ToUniversalTime() : at).Ticks;
        return new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
    }
}
