using Dapper;
using MySqlConnector;
using OrderSystem.Order.Contracts;

namespace OrderSystem.Order.Fulfillment;

/// <summary>
/// What the downstream modules reported, kept by Order in order_fulfillment: written through <see cref="IFulfillmentRecorder"/>
/// by a module in Order's process, from its completion event by a module elsewhere. No row yet means Pending.
/// </summary>
internal sealed record FulfillmentView(StepView Points, StepView Coupon, StepView Sms, StepView Shipment)
{
    private const string Sql = "SELECT step AS Step, status AS Status, at AS At FROM order_fulfillment WHERE order_id = @Id";

    public static async Task<FulfillmentView> LoadAsync(MySqlConnection connection, Guid orderId, CancellationToken ct)
    {
        var rows = (await connection.QueryAsync<(string Step, string Status, DateTime At)>(
            new CommandDefinition(Sql, new { Id = orderId }, cancellationToken: ct))).ToDictionary(r => r.Step);
        StepView For(FulfillmentStep step) =>
            rows.TryGetValue(FulfillmentWrites.NameOf(step), out var r) ? new StepView(r.Status, r.At) : StepView.Pending;
        return new FulfillmentView(For(FulfillmentStep.Points), For(FulfillmentStep.Coupon), For(FulfillmentStep.Sms), For(FulfillmentStep.Shipment));
    }
}

internal sealed record StepView(string Status, DateTime? At)
{
    public static readonly StepView Pending = new("Pending", null);
}
