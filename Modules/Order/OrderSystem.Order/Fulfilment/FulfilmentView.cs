using Dapper;
using MySqlConnector;

namespace OrderSystem.Order.Fulfilment;

/// <summary>
/// Each downstream module reports completion with its own event; Order keeps what they reported in order_fulfilment,
/// so this view works when those modules run in other processes. No row yet means Pending.
/// </summary>
internal sealed record FulfilmentView(StepView Points, StepView Coupon, StepView Sms, StepView Shipment)
{
    private const string Sql = "SELECT step AS Step, status AS Status, at AS At FROM order_fulfilment WHERE order_id = @Id";

    public static async Task<FulfilmentView> LoadAsync(MySqlConnection connection, Guid orderId, CancellationToken ct)
    {
        var rows = (await connection.QueryAsync<(string Step, string Status, DateTime At)>(
            new CommandDefinition(Sql, new { Id = orderId }, cancellationToken: ct))).ToDictionary(r => r.Step);
        StepView For(string step) => rows.TryGetValue(step, out var r) ? new StepView(r.Status, r.At) : StepView.Pending;
        return new FulfilmentView(For(FulfilmentStep.Points), For(FulfilmentStep.Coupon), For(FulfilmentStep.Sms), For(FulfilmentStep.Shipment));
    }
}

internal sealed record StepView(string Status, DateTime? At)
{
    public static readonly StepView Pending = new("Pending", null);
}
