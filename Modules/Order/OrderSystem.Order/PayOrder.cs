using Microsoft.AspNetCore.Http;
using OrderSystem.BuildingBlocks.Http;
using OrderSystem.BuildingBlocks.Database;
using OrderSystem.BuildingBlocks.Modules;
using OrderSystem.Order.Expiry;

namespace OrderSystem.Order;

/// <summary>
/// POST /api/orders/{orderId}/payment: the payment provider's signed callback. The only synchronous work is one short
/// transaction (order status, stock, outbox row); points, coupon, SMS and shipment follow asynchronously.
/// </summary>
internal static class PayOrder
{
    internal sealed record Request(string? PaymentId, decimal? Amount);

    internal sealed record Response(Guid OrderId, string Status, string PaymentId, DateTime PaidAt);

    public static async Task<IResult> Handle(
        string orderId, HttpRequest http, ModuleStore<ModuleTag> orders, PaymentTransaction payment, LatePayment late,
        StrayPayment stray, PaymentSignature signature, TimeProvider clock, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadBytesAsync(http, ct);
        if (problem is not null)
        {
            return problem;
        }
        if (!signature.IsValid(body, http.Headers["X-Signature"]))
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "invalid-signature", "Invalid signature.",
                "X-Signature must be sha256=<lowercase hex HMAC-SHA256 of the raw body>.");
        }
        if (!OrderIds.TryParse(orderId, out var id, out problem))
        {
            return problem!;
        }
        var (request, parseProblem) = JsonBody.Parse<Request>(body);
        if (parseProblem is not null)
        {
            return parseProblem;
        }
        var errors = Validate(request!);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var connection = await orders.Db.OpenAsync(ct);
        // Twice at most: when a concurrent callback changes the order between our read and our write,
        // the second look answers from what that callback committed.
        for (var attempt = 0; ; attempt++)
        {
            var order = await StoredOrder.LoadAsync(connection, id, ct);
            if (order is null)
            {
                return Problems.NotFound("Order", orderId);
            }
            if (order is { Status: OrderStatus.Expired, PaymentId: null } && attempt < 2)
            {
                // The first payment after the window: record it and request its refund, in one transaction.
                var recorded = await late.RecordAsync(connection, order, request!.PaymentId!, request.Amount!.Value, clock.UtcNowForDatabase(), ct);
                if (recorded is not null)
                {
                    return recorded;
                }
                continue;
            }
            if (order.Status != OrderStatus.Created || attempt > 0)
            {
                return StrayPayment.ReasonFor(order, request!.PaymentId!) is { } reason
                    ? await stray.RefundAsync(connection, order, request.PaymentId!, request.Amount!.Value, reason, ct)
                    : Answer(order, request);
            }
            if (request!.Amount != order.TotalAmount)
            {
                return Problems.Create(StatusCodes.Status422UnprocessableEntity, "amount-mismatch", "Amount does not match.",
                    $"The order total is {order.TotalAmount:0.00}; the callback paid {request.Amount:0.00}.");
            }
            var outcome = await payment.PayAsync(connection, order, request.PaymentId!, ct);
            if (outcome is not null)
            {
                return outcome;
            }
        }
    }

    /// <summary>
    /// The answer to the order's own payment once the order no longer waits for it: a replayed callback gets the same
    /// answer. Any other payment is a <see cref="StrayPayment"/>.
    /// </summary>
    private static IResult Answer(StoredOrder order, Request request) => order.Status switch
    {
        OrderStatus.Paid => TypedResults.Ok(new Response(order.OrderId, OrderStatus.Paid, order.PaymentId!, order.PaidAt!.Value)),
        OrderStatus.Expired => LatePayment.Problem(),
        OrderStatus.Cancelled => PaymentTransaction.OutOfStock(),
        _ => Problems.Create(StatusCodes.Status409Conflict, "order-changing", "The order is changing.",
            "The order changed while the payment was being recorded; send the callback again."),
    };

    private static Dictionary<string, string[]> Validate(Request request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.PaymentId is not { Length: >= 1 and <= 64 } paymentId || paymentId.Any(c => c < 0x21 || c > 0x7e))
        {
            errors["paymentId"] = ["The payment id must be 1-64 printable ASCII characters without spaces."];
        }
        if (request.Amount is not { } amount || amount <= 0 || amount > 100_000_000 || amount != Math.Round(amount, 2))
        {
            errors["amount"] = ["The amount must be above 0 with at most 2 decimals."];
        }
        return errors;
    }
}
