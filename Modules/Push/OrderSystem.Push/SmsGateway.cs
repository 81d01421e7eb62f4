using Microsoft.Extensions.Options;
using OrderSystem.ThirdParties;

namespace OrderSystem.Push;

/// <summary>
/// Stands in for the third-party SMS gateway, with the delay, spikes and failures set under Simulation:Sms.
/// The message id is passed as an idempotency key, as a real gateway would take it.
/// </summary>
internal sealed class SmsGateway(IOptionsMonitor<SimulatedLatencyOptions> options)
{
    public const string Name = "Sms";

    public Task SendAsync(Guid idempotencyKey, string userId, string text, CancellationToken ct) =>
        SimulatedLatency.WaitAsync(options.Get(Name), "SMS gateway", idempotencyKey, ct);
}
