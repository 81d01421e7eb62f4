namespace OrderSystem.ThirdParties.Simulator.Payments;

/// <summary>
/// The payment provider's refunds, modelled on WeChat Pay v3 and Stripe: asynchronous (PROCESSING, then SUCCESS, CLOSED
/// or ABNORMAL), told by query and by signed webhook, the refund id doubling as the idempotency key. Its faults are
/// /control/payments; its status probe is mapped with the others (StatusProbes).
/// </summary>
internal static class PaymentsApi
{
    public static void AddPaymentProvider(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Refunds>();
        builder.Services.AddSingleton<RefundWebhooks>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RefundWebhooks>());
        builder.Services.AddHostedService<RefundOutcomes>();
        builder.Services.AddHttpClient(RefundWebhooks.Client, client => client.Timeout = TimeSpan.FromSeconds(5));
    }

    public static void MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/payments/refunds", RequestRefund.HandleAsync);
        app.MapGet("/payments/refunds/{refundId}", GetRefund.HandleAsync);
        // The ledger that never lies: every refund the provider took, as it is now; money moved for the SUCCESS ones only.
        app.MapGet("/ledger/refunds", (Guid? refundId, string? paymentId, Guid? orderId, Refunds refunds) =>
            Results.Ok(refunds.Read(refundId, paymentId, orderId)));
    }
}
