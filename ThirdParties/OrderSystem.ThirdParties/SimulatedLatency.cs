using System.Collections.Concurrent;

namespace OrderSystem.ThirdParties;

/// <summary>
/// The cost profile of a simulated third party: a base delay, rare jitter spikes and random failures,
/// because that jitter is what the asynchronous design protects the buyer from.
/// </summary>
public sealed class SimulatedLatencyOptions
{
    public int DelayMs { get; set; }
    public double SpikeProbability { get; set; }
    public int SpikeMs { get; set; }
    public double FailureProbability { get; set; }

    /// <summary>Fail the first N calls for each idempotency key, then succeed: a partner that times out twice and recovers.</summary>
    public int FailFirstAttempts { get; set; }
}

public static class SimulatedLatency
{
    private static readonly ConcurrentDictionary<(string System, Guid Key), int> Attempts = new();

    public static async Task WaitAsync(SimulatedLatencyOptions options, string system, Guid idempotencyKey, CancellationToken ct)
    {
        var delay = options.DelayMs;
        if (options.SpikeProbability > 0 && Random.Shared.NextDouble() < options.SpikeProbability)
        {
            delay += options.SpikeMs;
        }
        if (delay > 0)
        {
            await Task.Delay(delay, ct);
        }
        if (options.FailFirstAttempts > 0)
        {
            var attempt = Attempts.AddOrUpdate((system, idempotencyKey), 1, (_, n) => n + 1);
            if (attempt <= options.FailFirstAttempts)
            {
                throw new SimulatedOutageException($"{system} failed attempt {attempt} (simulated transient failure).");
            }
            Attempts.TryRemove((system, idempotencyKey), out _);
        }
        if (options.FailureProbability > 0 && Random.Shared.NextDouble() < options.FailureProbability)
        {
            throw new SimulatedOutageException($"{system} answered with a simulated failure.");
        }
    }
}

public sealed class SimulatedOutageException(string message) : Exception(message);
