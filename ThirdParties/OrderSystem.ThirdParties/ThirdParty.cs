using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace OrderSystem.ThirdParties;

/// <summary>
/// One third party as the host sees it: its HTTP client (behind the party's resilience pipeline), the state of its
/// circuit breaker, and the gate that holds this party's callers while the breaker is open. Holding them is how a module
/// stops taking messages: its consumers sit at the gate with their messages unacknowledged, the rest of its queue waits
/// in RabbitMQ, and no message spends its retries against a party that is down (decision 0012).
/// </summary>
public sealed partial class ThirdParty
{
    private readonly IHttpClientFactory _clients;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private TaskCompletionSource _closed = NewGate(open: true);
    private DateTimeOffset _openedAt;
    private int _waiting;

    internal ThirdParty(string name, ThirdPartyResilience resilience, IHttpClientFactory clients, TimeProvider clock, ILogger logger)
    {
        Name = name;
        Resilience = resilience;
        _clients = clients;
        _clock = clock;
        _logger = logger;
        StateSince = clock.GetUtcNow();
    }

    /// <summary>The party's name in URLs, configuration and metrics: "sms", "logistics", "payments".</summary>
    public string Name { get; }

    public ThirdPartyResilience Resilience { get; }

    public BreakerState State { get; private set; }

    public DateTimeOffset StateSince { get; private set; }

    /// <summary>
    /// The party's client for a call that must not wait at the gate (an operator's report): its pipeline still applies,
    /// so an open breaker fails it at once.
    /// </summary>
    public HttpClient Client => _clients.CreateClient(Name);

    /// <summary>Callers held at the gate right now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Runs one call to the party. While the breaker is open the call waits for the probe to close it, however long
    /// that takes, and then runs; a failure while the breaker is closed (the party answers others) is the caller's own.
    /// </summary>
    public async Task<T> CallAsync<T>(Func<HttpClient, CancellationToken, Task<T>> call, CancellationToken ct)
    {
        var client = _clients.CreateClient(Name);
        while (true)
        {
            await WaitUntilClosedAsync(ct);
            try
            {
                var result = await call(client, ct);
                ThirdPartyMetrics.Called(Name, "success");
                return result;
            }
            catch (Exception e) when (IsPartyFault(e) && !ct.IsCancellationRequested)
            {
                ThirdPartyMetrics.Called(Name, "unavailable");
                if (State == BreakerState.Closed && e is not BrokenCircuitException)
                {
                    throw;
                }
                if (State == BreakerState.Closed)
                {
                    // The breaker refused the call an instant before its callback told us: let the callback land.
                    await Task.Delay(TimeSpan.FromMilliseconds(50), _clock, ct);
                }
                LogHeld(Name, e.Message);
            }
            catch (ThirdPartyRejectedException)
            {
                ThirdPartyMetrics.Called(Name, "rejected");
                throw;
            }
        }
    }

    /// <summary>A cheap call through the same pipeline: its success closes an open breaker.</summary>
    internal async Task<bool> ProbeAsync(CancellationToken ct)
    {
        try
        {
            using var response = await _clients.CreateClient(Name).GetAsync($"{Name}/status", ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (IsPartyFault(e) || e is HttpRequestException)
        {
            return false;
        }
    }

    internal void Opened(TimeSpan breakDuration)
    {
        lock (_lock)
        {
            if (_closed.Task.IsCompleted)
            {
                _closed = NewGate(open: false);
                _openedAt = _clock.GetUtcNow();
                ThirdPartyMetrics.BreakerOpened(Name, +1);
            }
            Transition(BreakerState.Open);
        }
        LogOpened(Name, breakDuration.TotalSeconds);
    }

    internal void HalfOpened()
    {
        lock (_lock)
        {
            Transition(BreakerState.HalfOpen);
        }
        LogHalfOpened(Name);
    }

    internal void Closed()
    {
        TimeSpan open;
        lock (_lock)
        {
            open = _clock.GetUtcNow() - _openedAt;
            Transition(BreakerState.Closed);
            if (_closed.TrySetResult())
            {
                ThirdPartyMetrics.BreakerOpened(Name, -1);
            }
        }
        LogClosed(Name, open.TotalSeconds, Waiting);
    }

    private void Transition(BreakerState state)
    {
        if (State != state)
        {
            State = state;
            StateSince = _clock.GetUtcNow();
            ThirdPartyMetrics.BreakerChanged(Name, state);
        }
    }

    private async Task WaitUntilClosedAsync(CancellationToken ct)
    {
        var gate = Volatile.Read(ref _closed).Task;
        if (gate.IsCompleted)
        {
            return;
        }
        Interlocked.Increment(ref _waiting);
        ThirdPartyMetrics.Waiting(Name, +1);
        try
        {
            await gate.WaitAsync(ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
            ThirdPartyMetrics.Waiting(Name, -1);
        }
    }

    /// <summary>Faults of the party or of the way to it, as opposed to a refusal of this request.</summary>
    private static bool IsPartyFault(Exception e) => e is HttpRequestException or TimeoutRejectedException
        or BrokenCircuitException or ThirdPartyUnavailableException;

    private static TaskCompletionSource NewGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.SetResult();
        }
        return gate;
    }

    [LoggerMessage(LogLevel.Warning, "Third party {Party}: breaker opened for {BreakSeconds} s; its callers wait (their messages stay in the queue) until a probe succeeds")]
    private partial void LogOpened(string party, double breakSeconds);

    [LoggerMessage(LogLevel.Information, "Third party {Party}: breaker half-open, probing")]
    private partial void LogHalfOpened(string party);

    [LoggerMessage(LogLevel.Information, "Third party {Party}: breaker closed after {Seconds:0.0} s, {Waiting} held callers resume")]
    private partial void LogClosed(string party, double seconds, int waiting);

    [LoggerMessage(LogLevel.Debug, "Third party {Party} is unavailable, call held until its breaker closes: {Error}")]
    private partial void LogHeld(string party, string error);
}

/// <summary>The circuit breaker's states, as /health/dependencies shows them.</summary>
public enum BreakerState
{
    Closed,
    HalfOpen,
    Open,
}
