using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OrderSystem.ThirdParties;

namespace OrderSystem.Warehouse;

/// <summary>
/// Stands in for the third-party logistics and warehouse system, with the delay, spikes and failures set under
/// Simulation:Logistics. It answers with a tracking number derived from the idempotency key, as a real one
/// would answer a repeated request with the same shipment.
/// </summary>
internal sealed class LogisticsGateway(IOptionsMonitor<SimulatedLatencyOptions> options)
{
    public const string Name = "Logistics";

    public async Task<string> RequestShipmentAsync(Guid idempotencyKey, Guid orderId, CancellationToken ct)
    {
        await SimulatedLatency.WaitAsync(options.Get(Name), "Logistics system", idempotencyKey, ct);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(idempotencyKey.ToByteArray(), hash);
        return "TRK" + Convert.ToHexString(hash[..6]);
    }
}
